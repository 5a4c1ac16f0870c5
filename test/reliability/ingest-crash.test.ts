import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGuildConfig } from '../../src/storage/guild-config-repo.js';
import { openLiveSession } from '../../src/storage/live-sessions-repo.js';
import { tickWatchTime } from '../../src/storage/watch-time-repo.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { BotProcess, startChildWorld, WEBHOOK_SECRET, type ChildWorld } from './support/bot-process.js';
import {
  accountBalances,
  creditedStreaks,
  replayFromScratch,
  storedMessageIds,
} from './support/ingest-db.js';
import { scriptedLive, type RelayedEvent } from './support/live-script.js';
import { accepted, relayBatch, type RelayOutcome } from './support/relay.js';

/**
 * The relay's contract: a 200 from the webhook means the batch is committed. So a bot killed with
 * SIGKILL mid-stream may lose only batches it never acknowledged, and the relay's resend (starting with
 * the last acknowledged batch again, as TikTok replays its last batch on every reconnect) makes the
 * database whole: each message once, and every balance as if the LIVE had never been interrupted.
 */
describe('the bot killed with SIGKILL during TikTok ingestion', () => {
  let crashed: TestDatabase;
  let reference: TestDatabase;
  let world: ChildWorld;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    crashed = await openTestDatabase('postgres');
    reference = await openTestDatabase('postgres');
    world = await startChildWorld(crashed.db);
  });
  afterAll(async () => {
    for (const bot of bots) await bot.kill();
    await world?.close();
    await crashed?.close();
    await reference?.close();
  });

  const startBot = async () => {
    const bot = await BotProcess.start({
      discord: world.discord,
      databaseUrl: crashed.url as string,
      dataDir: world.dataDir,
    });
    bots.push(bot);
    return bot;
  };

  /** Sends batches with a few requests in flight, as a relay does; stops taking new ones once one fails. */
  async function relay(
    bot: BotProcess,
    batches: readonly number[],
    script: RelayedEvent[][],
    onAccepted: (index: number) => void = () => {},
  ): Promise<Map<number, RelayOutcome>> {
    const outcomes = new Map<number, RelayOutcome>();
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < batches.length) {
        const index = batches[next++] as number;
        const outcome = await relayBatch(bot.url, WEBHOOK_SECRET, world.guildId, script[index] ?? []);
        outcomes.set(index, outcome);
        if (accepted(outcome)) onAccepted(index);
        else failed = true;
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    return outcomes;
  }

  it('keeps every acknowledged message once and ends with the balances of an uninterrupted replay', async () => {
    const script = scriptedLive({ runId: Date.now(), batches: 60, perBatch: 100 });
    const all = script.map((_, i) => i);

    const first = await startBot();
    let acknowledged = 0;
    const firstRun = await relay(first, all, script, () => {
      // A few milliseconds later, so the kill also lands on batches in mid-commit.
      if (++acknowledged === 15) setTimeout(() => first.signal('SIGKILL'), 4);
    });
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');

    const ackedBatches = all.filter((i) => {
      const outcome = firstRun.get(i);
      return outcome !== undefined && accepted(outcome);
    });
    const ackedIds = ackedBatches.flatMap((i) => (script[i] ?? []).map((e) => e.msgId));
    const afterCrash = await storedMessageIds(crashed.db, world.guildId);
    // Acknowledged means committed: the kill took none of them back.
    expect(ackedIds.filter((id) => !afterCrash.has(id))).toEqual([]);
    expect(afterCrash.size).toBeGreaterThanOrEqual(ackedIds.length);
    expect(ackedBatches.length).toBeGreaterThanOrEqual(15);
    expect(ackedBatches.length).toBeLessThan(script.length);

    // The relay reconnects: the last acknowledged batch again, then everything not acknowledged.
    const second = await startBot();
    const resend = [Math.max(...ackedBatches), ...all.filter((i) => !ackedBatches.includes(i))];
    const secondRun = await relay(second, resend, script);
    expect([...secondRun.values()].filter((o) => !accepted(o))).toEqual([]);
    expect(secondRun.size).toBe(resend.length);
    second.signal('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const stored = await storedMessageIds(crashed.db, world.guildId);
    const sent = script.flat().map((e) => e.msgId);
    expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
    expect(sent.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(sent.length);

    await replayFromScratch(reference.db, world.guildId, script);
    // The bots' watch-minute job runs on the wall clock: a run that straddles a minute boundary credits
    // every viewer (all are seen in each batch) a minute. The replay gets as many ticks, once it is done
    // (a tick credits only while a LIVE is open, as the relay's LIVE is).
    const crashedBalances = await accountBalances(crashed.db, world.guildId);
    const ticks = Math.max(...crashedBalances.map((a) => a.watchMinutes));
    expect(ticks).toBeLessThanOrEqual(2);
    const lastEventAt = Math.max(...script.flat().map((e) => Date.parse(String(e.at))));
    const tickAt = new Date(Math.max(Date.now(), lastEventAt + 1));
    const { settings } = await getGuildConfig(reference.db, world.guildId);
    const live = { guildId: world.guildId, tiktokUsername: 'reference', roomId: null, now: tickAt };
    await openLiveSession(reference.db, live);
    for (let i = 0; i < ticks; i++) await tickWatchTime(reference.db, world.guildId, tickAt, settings);
    const expected = await accountBalances(reference.db, world.guildId);
    expect(expected.some((a) => a.coins > 0 && a.points > 0)).toBe(true);
    expect(crashedBalances).toEqual(expected);
    expect(await creditedStreaks(crashed.db, world.guildId)).toEqual(
      await creditedStreaks(reference.db, world.guildId),
    );
    // No REST call went to a route the local Discord does not serve.
    expect(world.discord.unknownRoutes).toEqual([]);
    console.info(
      `ingest crash: ${ackedBatches.length}/${script.length} batches acknowledged before SIGKILL, ` +
        `${afterCrash.size - ackedIds.length} messages committed but unacknowledged, ` +
        `${resend.length} batches resent, ${stored.size} messages stored once`,
    );
  }, 60_000);
});
