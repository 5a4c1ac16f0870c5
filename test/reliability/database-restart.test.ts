import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { connectDatabase, type Database } from '../../src/storage/connect.js';
import { migrate } from '../../src/storage/migrate.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { ThrowawayCluster } from '../support/db/throwaway-cluster.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import type { TestDatabase } from '../support/db/test-database.js';

installUnhandledRejectionGuard();

describe('PostgreSQL restarting under the bot', () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let t: TestBot;

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    database = await connectDatabase({ databaseUrl: cluster.url });
    await migrate(database);
    const testDatabase: TestDatabase = { ...database, reset: async () => {} };
    t = await startTestBot({ database: testDatabase });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
    await cluster?.destroy();
  });

  const submit = (title: string, link: string) =>
    t.discord.slashCommand({
      channelId: t.channels.submissions,
      user: t.users.viewer,
      name: 'submit',
      options: { artist: 'Artist', title, link },
    });

  it('answers "try again shortly" during the outage, then works again with nothing lost', async () => {
    const before = await submit('Before', 'https://youtu.be/aaaaaaaaaaa').editReply();
    expect(String(before.body.content)).toMatch(/Queued/);

    await cluster.stop('immediate');
    // Refused at once when the server's settings are read from the database, or after the deferral
    // when this process still had them (its listener had not yet seen the connection drop).
    const during = submit('During', 'https://youtu.be/bbbbbbbbbbb');
    const first = await during.reply();
    const answer = first.body.data?.content ?? (await during.editReply()).body.content;
    expect(String(answer)).toMatch(/try again shortly/);

    await cluster.start();
    // The first queued song blocks a second open one: the refusal proves the row survived.
    const after = await submit('After', 'https://youtu.be/ccccccccccc').editReply();
    expect(String(after.body.content)).toMatch(/already have a song/i);
    const { entries } = await listQueue(database.db, t.guildId, { tiers: OPEN_TIERS });
    expect(entries.map((e) => e.title)).toEqual(['Before']);
    expect(t.bot.client.isReady()).toBe(true);
  }, 60_000);
});
