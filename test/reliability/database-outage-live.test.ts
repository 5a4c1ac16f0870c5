import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/storage/connect.js';
import { migrate } from '../../src/storage/migrate.js';
import type { TestBot } from '../support/bot/test-bot.js';
import { ThrowawayCluster } from '../support/db/throwaway-cluster.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { startLocalWebcast, type LocalWebcast } from '../support/tiktok/local-webcast.js';
import { accountBalances, replayFromScratch, storedMessageIds } from './support/ingest-db.js';
import { scriptedLive } from './support/live-script.js';
import { asWebcastMessages, startBotOnLive, until } from './support/live-webcast.js';

installUnhandledRejectionGuard();

/**
 * PostgreSQL restarting while events arrive over the live connection (the webhook's side is
 * database-outage-ingest.test.ts). Nobody resends these: the pipeline keeps a batch it could not
 * commit at the front of its buffer and retries it, so after the restart every event is stored once.
 */
describe('PostgreSQL restarting while live-connection events arrive', () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let reference: TestDatabase;
  let webcast: LocalWebcast;
  let t: TestBot | undefined;

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    database = await connectDatabase({ databaseUrl: cluster.url });
    await migrate(database);
    reference = await openTestDatabase('postgres');
    webcast = await startLocalWebcast({ handle: 'review.night' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await webcast?.close();
    await database?.close();
    await cluster?.destroy();
    await reference?.close();
  });

  it('stores every event once after the restart, with the balances of the same LIVE replayed', async () => {
    const bot = await startBotOnLive({ ...database, reset: async () => {} }, webcast);
    t = bot;
    const { guildId } = bot;
    const script = scriptedLive({ runId: Date.now(), batches: 12, perBatch: 50 });
    const sent = script.flat().map((e) => e.msgId);
    const storedCount = async () => (await storedMessageIds(database.db, guildId)).size;

    for (const batch of script.slice(0, 4)) await webcast.pushAcknowledged(asWebcastMessages(batch));
    await until('the first batches stored', async () => (await storedCount()) === 200);

    await cluster.stop('immediate');
    for (const batch of script.slice(4, 8)) await webcast.pushAcknowledged(asWebcastMessages(batch));
    // Flushes run every 25 ms: let a good number of them fail against the stopped server.
    await sleep(500);
    await cluster.start();
    for (const batch of script.slice(8)) await webcast.pushAcknowledged(asWebcastMessages(batch));
    await until('every event stored', async () => (await storedCount()) === sent.length);

    // Stopping writes any streak credit still waiting, as the reference replay's stop does.
    const unknownRoutes = [...bot.discord.unknownRoutes];
    t = undefined;
    await bot.close();
    const stored = await storedMessageIds(database.db, guildId);
    expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
    expect(sent.filter((id) => !stored.has(id))).toEqual([]);
    await replayFromScratch(reference.db, guildId, script);
    const expected = await accountBalances(reference.db, guildId);
    expect(expected.some((a) => a.coins > 0 && a.points > 0)).toBe(true);
    expect(await accountBalances(database.db, guildId)).toEqual(expected);
    expect(unknownRoutes).toEqual([]);
  }, 60_000);
});
