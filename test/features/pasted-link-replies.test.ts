import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ database });
});
afterAll(async () => {
  await t?.close();
});

// The server's usual rules stay on: after the first song a viewer's links are refused (one open song,
// cooldown), and a refusal is an answer too.

/** The bot's reply to one message in the submission channel (a reply references the message). */
function replyTo(messageId: string) {
  return t.discord.waitForCall<{ content: string; message_reference?: { message_id: string } }>(
    (c) =>
      c.method === 'POST' &&
      c.path === `/channels/${t.channels.submissions}/messages` &&
      (c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id === messageId,
  );
}

it('answers a pasted link with a malformed %-escape and no "Artist - Title"', async () => {
  const sent = t.discord.message({
    channelId: t.channels.submissions,
    author: t.users.viewer,
    content: 'https://soundcloud.com/a%zz/b',
  });
  const reply = await replyTo(sent.id);
  expect(reply.body.content).toMatch(/#\d+ in line|already|wait/i);
});

it('answers every message that holds a link, whatever else it says', async () => {
  // SoundCloud links are named from their path, so they come up most.
  const host = fc.oneof(
    { arbitrary: fc.constant('soundcloud.com'), weight: 4 },
    fc.constantFrom('open.spotify.com', 'youtu.be', 'www.deezer.com', 'music.apple.com', 'example.com'),
  );
  // Paths lean towards what breaks parsers: broken %-escapes, separators, any character.
  const piece = fc.oneof(
    fc.constantFrom('%', '%zz', '%E0%A4%A', '/', '-', '_', '?x=1'),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  );
  const path = fc.array(piece, { maxLength: 8 }).map((p) => p.join('').replace(/\s/g, ''));
  const around = fc.string({ unit: 'grapheme', maxLength: 40 });
  await fc.assert(
    fc.asyncProperty(around, host, path, around, async (before, h, p, after) => {
      const sent = t.discord.message({
        channelId: t.channels.submissions,
        author: t.users.other,
        content: `${before} https://${h}/${p} ${after}`,
      });
      const reply = await replyTo(sent.id);
      expect(reply.body.content.trim().length).toBeGreaterThan(0);
    }),
    { numRuns: 40 },
  );
});
