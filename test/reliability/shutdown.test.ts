import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { BotProcess, startChildWorld, WEBHOOK_SECRET, type ChildWorld } from './support/bot-process.js';
import { storedMessageIds } from './support/ingest-db.js';
import { scriptedLive } from './support/live-script.js';
import { accepted, relayBatch, type RelayOutcome } from './support/relay.js';
import { SHUTDOWN_DEADLINE_MS } from '../../src/shutdown.js';

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

/**
 * With Discord unreachable, discord.js keeps retrying the gateway every 500 ms, and a client destroyed
 * between two attempts goes on retrying: once SIGTERM has stopped everything, the process must still
 * end, without a second signal.
 */
describe('the bot stopping with SIGTERM while Discord is unreachable', () => {
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

  it('exits within the shutdown deadline after one SIGTERM', async () => {
    bot = await BotProcess.start({
      discord: world.discord,
      databaseUrl: database.url as string,
      dataDir: world.dataDir,
    });
    const running = bot;
    await world.discord.goOffline();
    await running.waitForLog((l) => l.msg === 'Discord gateway connection lost; reconnecting');
    // A few reconnect attempts, so SIGTERM lands in the retry loop.
    await sleep(1_200);
    const termAt = Date.now();
    running.signal('SIGTERM');
    const exit = await Promise.race([running.exited, sleep(SHUTDOWN_DEADLINE_MS + 2_000).then(() => null)]);

    expect(
      exit,
      `still running ${SHUTDOWN_DEADLINE_MS + 2_000} ms after SIGTERM\n${running.tail()}`,
    ).not.toBeNull();
    expect(exit!.signal).toBeNull();
    expect(exit!.code).toBe(0);
    expect(exit!.at - termAt).toBeLessThan(SHUTDOWN_DEADLINE_MS + 1_000);
    expect(running.logs.map((l) => l.msg)).toContain('stopped');
    console.info(
      `shutdown with Discord unreachable: exit ${exit!.code} ${exit!.at - termAt} ms after SIGTERM; ` +
        `last lines: ${running.logs
          .slice(-2)
          .map((l) => JSON.stringify(l))
          .join(' ')}`,
    );
  }, 60_000);
});
