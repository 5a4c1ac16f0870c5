import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SETTINGS } from '../../src/domain/guild-settings.js';
import { giftPoints } from '../../src/domain/points.js';
import { watchTimeJob } from '../../src/features/tiktok/watch-time-job.js';
import { runJobInSlot, slotOf } from '../../src/jobs/job-run.js';
import { rowsOf } from '../../src/storage/connect.js';
import { closeLiveSession, openLiveSession } from '../../src/storage/live-sessions-repo.js';
import { TikTokLiveSource, type TikTokLiveSourceOptions } from '../../src/tiktok/connection.js';
import { IngestPipeline } from '../../src/tiktok/ingest/pipeline.js';
import { GUILD } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { until } from '../support/until.js';
import {
  chat,
  gift,
  join,
  like,
  roomUser,
  startLocalWebcast,
  type LocalWebcast,
  type WebcastTestMessage,
} from '../support/tiktok/local-webcast.js';
import { SourceRecorder } from '../support/tiktok/source-recorder.js';

/**
 * Ingestion through the real library: real protobuf messages from the local webcast, decoded by
 * tiktok-live-connector in a real TikTokLiveSource, written by the pipeline to PostgreSQL.
 */

const alice = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice' };
const bob = { userId: '6898765432109876543', handle: 'bob_beats', nickname: 'Bob' };
const SILENCE_MS = 300;
const rose = (groupId: string) => ({
  ...alice,
  giftId: 5655,
  giftName: 'Rose',
  diamondCount: 1,
  type: 1,
  groupId,
});

const database = useTestDatabase('postgres');
let webcast: LocalWebcast;
let running: { source: TikTokLiveSource; pipeline: IngestPipeline; recorder: SourceRecorder }[] = [];

beforeEach(async () => {
  await database.reset();
  webcast = await startLocalWebcast({ handle: 'review.night' });
});
afterEach(async () => {
  for (const { source, pipeline } of running) {
    await source.stop();
    await pipeline.stop();
  }
  running = [];
  await webcast.close();
});

/** A source feeding a pipeline, wired as the tiktok module does (held while a connect replays). */
async function connect(sourceOptions: Partial<TikTokLiveSourceOptions> = {}) {
  const source = new TikTokLiveSource(webcast.handle, {
    ...webcast.connectionOptions,
    backoff: { minMs: 20, maxMs: 50 },
    ...sourceOptions,
  });
  const pipeline = new IngestPipeline({
    guildId: GUILD,
    db: database.db,
    loadSettings: async () => DEFAULT_GUILD_SETTINGS,
    onRecorded: async () => {},
    onStreamEnd: async () => false,
    logger: { warn() {}, error() {} },
    streakSilenceMs: SILENCE_MS,
  });
  source.onEvent((event) => pipeline.accept(event));
  source.onState((state) => {
    if (state.type === 'connecting') pipeline.hold();
    else pipeline.release();
  });
  const recorder = new SourceRecorder(source);
  running.push({ source, pipeline, recorder });
  source.start();
  await recorder.nextState('live');
  return { source, pipeline, recorder };
}

async function balances() {
  return rowsOf<{
    tiktok_user_id: string;
    points: number;
    coins: number;
    tiktok_coins_gifted: number;
    gift_coin_carry: number;
  }>(
    database.db,
    sql`SELECT tiktok_user_id, points, coins, tiktok_coins_gifted, gift_coin_carry FROM tiktok_accounts ORDER BY tiktok_user_id`,
  );
}

async function interactionCount(): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM interactions`);
  return row?.n ?? 0;
}

async function pushAndWrite(
  live: { pipeline: IngestPipeline; recorder: SourceRecorder },
  messages: WebcastTestMessage[],
) {
  const received = live.recorder.nextEvents(messages.length);
  await webcast.push(messages);
  await received;
  await live.pipeline.flush();
}

describe('gift streaks', () => {
  it('counts a streak once, at its final count, whatever updates arrive', async () => {
    const live = await connect();
    await pushAndWrite(live, [
      gift({ ...rose('901'), repeatCount: 1, repeatEnd: false }),
      gift({ ...rose('901'), repeatCount: 4, repeatEnd: false }),
      gift({ ...rose('901'), repeatCount: 9, repeatEnd: false }),
      gift({ ...rose('901'), repeatCount: 9, repeatEnd: true }),
    ]);
    expect(await balances()).toMatchObject([
      { tiktok_user_id: alice.userId, tiktok_coins_gifted: 9, points: 18 },
    ]);
  });

  it('settles a streak whose end never arrives after a silence, and credits a late end only for its growth', async () => {
    const live = await connect();
    await pushAndWrite(live, [
      gift({ ...rose('902'), repeatCount: 1, repeatEnd: false }),
      gift({ ...rose('902'), repeatCount: 5, repeatEnd: false }),
    ]);
    expect(await balances()).toMatchObject([{ tiktok_coins_gifted: 0 }]);
    await sleep(SILENCE_MS + 50);
    live.pipeline.tick();
    await live.pipeline.flush();
    expect(await balances()).toMatchObject([
      { tiktok_coins_gifted: 5, points: giftPoints(5, DEFAULT_GUILD_SETTINGS.points) },
    ]);

    await pushAndWrite(live, [gift({ ...rose('902'), repeatCount: 7, repeatEnd: true })]);
    expect(await balances()).toMatchObject([{ tiktok_coins_gifted: 7, points: 14 }]);
  });
});

describe('replays', () => {
  const wholeLive = (): WebcastTestMessage[] => [
    join(alice),
    join(bob),
    like({ ...bob, count: 12, total: 12 }),
    chat({ ...alice, text: 'first!' }),
    gift({ ...rose('903'), repeatCount: 3, repeatEnd: false }),
    gift({ ...rose('903'), repeatCount: 30, repeatEnd: true }),
    gift({
      ...bob,
      giftId: 11046,
      giftName: 'Galaxy',
      diamondCount: 1000,
      type: 2,
      repeatCount: 1,
      repeatEnd: false,
      groupId: '0',
    }),
    like({ ...alice, count: 3, total: 15 }),
  ];

  it('ignores the first batch TikTok replays on reconnect: balances stay as they were', async () => {
    webcast.setInitialBatch(wholeLive());
    const live = await connect();
    await live.pipeline.flush();
    await until('the first batch recorded', async () => (await interactionCount()) === 8);
    const before = await balances();
    expect(before).toMatchObject([
      { tiktok_user_id: alice.userId, tiktok_coins_gifted: 30, points: 2 + 60 + 3 },
      { tiktok_user_id: bob.userId, tiktok_coins_gifted: 1000, points: 12 + 999 * 2 + 1, coins: 20 },
    ]);

    const replayed = live.recorder.nextEvents(8);
    webcast.dropConnections();
    await live.recorder.nextState('live');
    await replayed;
    await live.pipeline.flush();
    expect(await interactionCount()).toBe(8);
    expect(await balances()).toEqual(before);
  });

  it('a connection that went silent is reconnected; the replay and what follows are each counted once', async () => {
    webcast.setInitialBatch(wholeLive());
    const live = await connect({ silenceTimeoutMs: 200 });
    // Nothing is pushed: the source gives up on the quiet socket and connects again (replaying the batch).
    const silent = live.recorder.nextState('reconnecting', 10_000);
    const replayed = live.recorder.nextEvents(8, 10_000);
    await live.pipeline.flush();
    await until('the first batch recorded', async () => (await interactionCount()) === 8);
    const before = await balances();

    expect((await silent).lastProblem).toBe('silent');
    await replayed;
    await live.recorder.waitFor(
      'live again',
      () => live.recorder.states().filter((s) => s.type === 'live').length === 2,
      10_000,
    );
    await pushAndWrite(live, [chat({ ...alice, text: 'back again' }), like({ ...bob, count: 4, total: 16 })]);

    expect(await interactionCount()).toBe(10);
    const after = await balances();
    expect(after.find((row) => row.tiktok_user_id === bob.userId)?.points).toBe(
      before.find((row) => row.tiktok_user_id === bob.userId)!.points + 4,
    );
  });

  it('a whole live replayed twice (after two restarts) leaves every balance unchanged', async () => {
    webcast.setInitialBatch(wholeLive());
    const first = await connect();
    await until('the live recorded', async () => (await interactionCount()) === 8);
    await first.source.stop();
    await first.pipeline.stop();
    const before = await balances();

    for (let run = 0; run < 2; run++) {
      // A new source and pipeline: nothing in memory remembers what was credited.
      const again = await connect();
      await again.pipeline.stop();
      expect(await balances()).toEqual(before);
    }
    expect(await interactionCount()).toBe(8);
  });
});

describe('watch time', () => {
  const T0 = new Date('2026-11-24T20:00:00.000Z');
  const minute = (n: number) => new Date(T0.getTime() + n * 60_000);

  /** What alice does at minute `m` (every 4 minutes, within the 5-minute window): like, chat or top-viewer listing. */
  function aliceSeenAt(m: number): WebcastTestMessage {
    const at = minute(m);
    switch ((m / 4) % 3) {
      case 0:
        return like({ ...alice, count: 1, total: m, at });
      case 1:
        return chat({ ...alice, text: `still here at ${m}`, at });
      default:
        return roomUser({ total: 2, topViewers: [alice], at });
    }
  }

  it('an hour on the job’s clock: a viewer seen throughout earns 60 minutes and 2 Luxury Coins, one who left fewer', async () => {
    const live = await connect();
    const { session } = await openLiveSession(database.db, {
      guildId: GUILD,
      tiktokUsername: webcast.handle,
      roomId: webcast.roomId,
      now: T0,
    });
    live.pipeline.sessionId = session.id;
    let now = T0;
    const job = watchTimeJob(60_000, () => now);

    for (let m = 0; m < 60; m++) {
      const seen: WebcastTestMessage[] = [];
      if (m === 0) seen.push(join({ ...alice, at: minute(0) }), join({ ...bob, at: minute(0) }));
      else if (m % 4 === 0) seen.push(aliceSeenAt(m));
      // Bob likes and chats for a few minutes, then leaves: TikTok sends no "left", he just goes quiet.
      if (m === 4) seen.push(like({ ...bob, count: 3, total: 3, at: minute(4) }));
      if (m === 8) seen.push(chat({ ...bob, text: 'gotta go', at: minute(8) }));
      if (seen.length > 0) await pushAndWrite(live, seen);
      now = minute(m + 1);
      expect(await runJobInSlot(database, job, slotOf(job, now.getTime()))).toBe('ran');
    }

    const watch = await rowsOf<{ tiktok_user_id: string; watch_minutes: number; coins: number }>(
      database.db,
      sql`SELECT tiktok_user_id, watch_minutes, coins FROM tiktok_accounts ORDER BY tiktok_user_id`,
    );
    // Bob was last seen at minute 8: the ticks of minutes 1 to 12 counted him (a 5-minute window).
    expect(watch).toEqual([
      { tiktok_user_id: alice.userId, watch_minutes: 60, coins: 2 },
      { tiktok_user_id: bob.userId, watch_minutes: 12, coins: 0 },
    ]);
    expect((await closeLiveSession(database.db, GUILD, 'ended', minute(61)))?.coinsAwarded).toBe(2);
  });
});
