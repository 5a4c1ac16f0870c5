import { describe, expect, it } from 'vitest';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard, rateLimited } from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

async function pasteLinkAndWaitForReaction(user = t.users.viewer, link = 'https://youtu.be/dQw4w9WgXcQ') {
  t.discord.message({ channelId: t.channels.submissions, author: user, content: link });
  await t.discord.waitForCall(
    (c) => c.method === 'PUT' && c.path.includes('/reactions/') && c.status === 204,
  );
}

describe('Discord connection faults', () => {
  it('resumes after the gateway drops the socket and keeps handling submissions', async () => {
    expect(await t.discord.closeGateway(4000)).toBe('resumed');
    await pasteLinkAndWaitForReaction();
    expect((await listQueue(database.db, t.guildId, { tiers: OPEN_TIERS })).total).toBe(1);
  });

  it('reconnects when Discord asks it to (op 7) and keeps answering commands', async () => {
    expect(await t.discord.requestReconnect()).toBe('resumed');
    const reply = await t.discord
      .slashCommand({
        channelId: t.channels.submissions,
        user: t.users.viewer,
        name: 'submit',
        options: { artist: 'A', title: 'B', link: 'https://youtu.be/dQw4w9WgXcQ' },
      })
      .editReply();
    expect(String(reply.body.content)).toMatch(/Queued/);
  });

  it('waits out a REST 429 with retry-after and then delivers the reply', async () => {
    t.discord.failNext('PUT', /\/reactions\//, rateLimited(0.3));
    const started = Date.now();
    await pasteLinkAndWaitForReaction();
    const attempts = t.discord.callsTo('PUT', /\/reactions\//);
    expect(attempts.map((c) => c.status)).toEqual([429, 204]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
