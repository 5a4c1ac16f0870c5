import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { startLocalWebcast, type LocalWebcast } from '../support/tiktok/local-webcast.js';
import { accountBalances, replayFromScratch, storedMessageIds } from './support/ingest-db.js';
import { scriptedLive } from './support/live-script.js';
import { asWebcastMessages, startBotOnLive } from './support/live-webcast.js';

installUnhandledRejectionGuard();

/**
 * The bot stopping (what SIGTERM runs: bot.stop()) while events of the live connection wait in the
 * ingest buffer: the stop writes every one of them before it returns. The webhook's side of this is
 * shutdown.test.ts.
 */
describe('the bot stopping with live-connection events buffered', () => {
  let database: TestDatabase;
  let reference: TestDatabase;
  let webcast: LocalWebcast;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    reference = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await database?.close();
    await reference?.close();
  });
  afterEach(async () => {
    await webcast?.close();
  });

  it('writes every buffered event once, with the balances of the same LIVE replayed', async () => {
    webcast = await startLocalWebcast({ handle: 'review.night' });
    // No flush by timer or size: whatever arrives stays buffered until the stop.
    const t = await startBotOnLive(database, webcast, { flushIntervalMs: 600_000, maxBatch: 100_000 });
    const script = scriptedLive({ runId: Date.now(), batches: 20, perBatch: 100 });
    // Acknowledged: the bot's listeners have every event of the batch.
    for (const batch of script) await webcast.pushAcknowledged(asWebcastMessages(batch));
    expect((await storedMessageIds(database.db, t.guildId)).size).toBe(0);

    await t.close();

    const stored = await storedMessageIds(database.db, t.guildId);
    const sent = script.flat().map((e) => e.msgId);
    expect(sent.filter((id) => !stored.has(id))).toEqual([]);
    expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
    expect(stored.size).toBe(sent.length);
    await replayFromScratch(reference.db, t.guildId, script);
    const expected = await accountBalances(reference.db, t.guildId);
    expect(expected.some((a) => a.coins > 0 && a.points > 0)).toBe(true);
    expect(await accountBalances(database.db, t.guildId)).toEqual(expected);
  }, 60_000);
});
