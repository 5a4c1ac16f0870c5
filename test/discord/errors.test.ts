import type { RepliableInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { answerFailure } from '../../src/discord/errors.js';
import { UserFacingError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logging/logger.js';

/** An interaction not yet answered that records what it is answered with. */
function fakeInteraction() {
  const replies: { content?: string }[] = [];
  const interaction = {
    deferred: false,
    replied: false,
    reply: async (options: { content?: string }) => {
      replies.push(options);
    },
  } as unknown as RepliableInteraction;
  return { interaction, replies };
}

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('a refusal with a technical detail', () => {
  it('shows the user only the message and keeps the detail in the logs', async () => {
    const { interaction, replies } = fakeInteraction();
    const { logger, lines } = recordingLogger();
    const refusal = new UserFacingError(
      'unsupported_file',
      '"song.mp3" looks cut short or damaged.',
      'mp3: it ends inside its first MP3 frame',
    );
    await answerFailure(interaction, refusal, logger, '/submit');
    expect(replies.map((r) => r.content)).toEqual(['"song.mp3" looks cut short or damaged.']);
    expect(lines).toMatchObject([
      { code: 'unsupported_file', detail: 'mp3: it ends inside its first MP3 frame', what: '/submit' },
    ]);
  });

  it('logs nothing for a refusal without a detail', async () => {
    const { interaction, replies } = fakeInteraction();
    const { logger, lines } = recordingLogger();
    await answerFailure(interaction, new UserFacingError('cooldown', 'Wait a bit.'), logger, '/submit');
    expect(replies.map((r) => r.content)).toEqual(['Wait a bit.']);
    expect(lines).toEqual([]);
  });
});
