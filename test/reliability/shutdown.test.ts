import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { BotProcess, startChildWorld, WEBHOOK_SECRET, type ChildWorld } from './support/bot-process.js';
import { storedMessageIds } from './support/ingest-db.js';
import { scriptedLive } from './support/live-script.js';
import { accepted, relayBatch, type RelayOutcome } from './support/relay.js';

interface Sent {
  index: number;
  startedAt: number;
  outcome: RelayOutcome;
}

/**
 * SIGTERM while a relay keeps posting: the bot stops taking new requests, commits and answers every
 * request it already took, and exits 0 within a few seconds.
 */
describe('the bot stopping with SIGTERM under load', () => {
  let database: TestDatabase;
  let world: ChildWorld;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    world = await startChildWorld(database.db);
  });
  afterAll(async () => {
    await bot?.kill();
    await world?.close();
    await database?.close();
  });

  it('commits and acknowledges everything it took in, then exits 0', async () => {
    const script = scriptedLive({ runId: Date.now(), batches: 400, perBatch: 200 });
    bot = await BotProcess.start({
      discord: world.discord,
      databaseUrl: database.url as string,
      dataDir: world.dataDir,
    });
    const running = bot;
    const sent: Sent[] = [];
    let next = 0;
    let refused = false;
    const worker = async () => {
      while (!refused && next < script.length) {
        const index = next++;
        const startedAt = Date.now();
        const outcome = await relayBatch(running.url, WEBHOOK_SECRET, world.guildId, script[index] ?? []);
        sent.push({ index, startedAt, outcome });
        if (!accepted(outcome)) refused = true;
      }
    };
    const load = Promise.all([1, 2, 3, 4, 5, 6].map(worker));
    while (sent.filter((s) => accepted(s.outcome)).length < 20) await sleep(20);
    const termAt = Date.now();
    running.signal('SIGTERM');
    await load;
    const exit = await running.exited;

    expect(exit.code).toBe(0);
    // Inside the 10 s `docker stop` waits before its SIGKILL (the drain itself takes well under a second).
    expect(exit.at - termAt).toBeLessThan(10_000);
    const stored = await storedMessageIds(database.db, world.guildId);
    const ackedIds = sent
      .filter((s) => accepted(s.outcome))
      .flatMap((s) => (script[s.index] ?? []).map((e) => e.msgId));
    expect(ackedIds.filter((id) => !stored.has(id))).toEqual([]);
    expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
    // Whatever the bot took in (some of it is stored) it also answered: the relay heard about every commit.
    const unanswered = sent.filter(
      (s) => !accepted(s.outcome) && (script[s.index] ?? []).some((e) => stored.has(e.msgId)),
    );
    expect(unanswered.map((s) => ({ batch: s.index, outcome: s.outcome }))).toEqual([]);
    expect(stored.size).toBe(ackedIds.length);
    // No REST call went to a route the local Discord does not serve.
    expect(world.discord.unknownRoutes).toEqual([]);
    console.info(
      `shutdown: ${sent.length} requests, ${ackedIds.length} events acknowledged, ${stored.size} stored, ` +
        `${sent.filter((s) => s.startedAt < termAt && !accepted(s.outcome)).length} sent just before SIGTERM and refused (none stored), ` +
        `exit ${exit.at - termAt} ms after SIGTERM`,
    );
  }, 60_000);
});
