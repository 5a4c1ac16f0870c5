import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LiveSession } from '../../src/analytics/session-metrics.js';
import {
  findSession,
  listSessions,
  sessionSummary,
  sessionTimeline,
  sessionViewers,
  sessionViewersPage,
} from '../../src/storage/metrics-repo.js';
import { FORMULA_HANDLE, SESSION_END, SESSION_START, seedSession } from '../analytics/session-fixture.js';
import { GUILD, OTHER_GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, openTestDatabase, type TestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('session metrics (%s)', (kind) => {
  let database: TestDatabase;
  let sessionId: number;
  let session: LiveSession;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
    sessionId = await seedSession(database.db, GUILD, OTHER_GUILD);
    session = (await findSession(database.db, GUILD, sessionId))!;
  });

  it('finds a session by id within its guild only, and "latest" as the one that started last', async () => {
    expect(session).toMatchObject({
      id: sessionId,
      guildId: GUILD,
      startedAt: SESSION_START,
      endedAt: SESSION_END,
    });
    expect((await findSession(database.db, GUILD, 'latest'))?.id).toBe(sessionId);
    expect(await findSession(database.db, OTHER_GUILD, sessionId)).toBeNull();
    expect(await findSession(database.db, GUILD, 999_999)).toBeNull();
  });

  it('adds up the session interactions and gift streaks, ignoring other sessions and guilds', async () => {
    const summary = await sessionSummary(database.db, session);
    expect(summary).toMatchObject({
      durationSeconds: 240,
      peakViewers: 30,
      averageViewers: 19,
      uniqueViewers: 3,
      likes: 30,
      comments: 3,
      joins: 3,
      shares: 1,
      follows: 1,
      gifts: 10,
      giftTikTokCoins: 901,
      coinsAwarded: { total: 17, gifts: 12, watchTime: 5 },
      pointsAwarded: 682,
    });
  });

  it('keeps the total of a live recorded before gift and watch-time coins were tallied apart, split unknown', async () => {
    await database.db.execute(sql`INSERT INTO live_sessions
        (guild_id, tiktok_username, started_at, ended_at, coins_awarded, gift_coins_awarded, watch_coins_awarded)
      VALUES (${GUILD}, 'reviewstream', now() - interval '1 hour', now(), 9, NULL, NULL)`);
    const old = (await findSession(database.db, GUILD, 'latest'))!;
    expect((await sessionSummary(database.db, old)).coinsAwarded).toEqual({
      total: 9,
      gifts: null,
      watchTime: null,
    });
  });

  it('ranks watchers by the minutes they watched this live, not other lives or guilds', async () => {
    const summary = await sessionSummary(database.db, session);
    expect(summary.topWatchers).toEqual([
      { tiktokUserId: 'u1', handle: 'alice', value: 40 },
      { tiktokUserId: 'u4', handle: 'lurker', value: 25 },
      { tiktokUserId: 'u2', handle: FORMULA_HANDLE, value: 10 },
    ]);
  });

  it('ranks gifters by TikTok coins and engaged viewers by points, with their handles', async () => {
    const summary = await sessionSummary(database.db, session);
    expect(summary.topGifters).toEqual([
      { tiktokUserId: 'u2', handle: FORMULA_HANDLE, value: 600 },
      { tiktokUserId: 'u3', handle: 'u3', value: 300 },
      { tiktokUserId: 'u1', handle: 'alice', value: 1 },
    ]);
    expect(summary.topEngaged).toEqual([
      { tiktokUserId: 'u2', handle: FORMULA_HANDLE, value: 610 },
      { tiktokUserId: 'u3', handle: 'u3', value: 42 },
      { tiktokUserId: 'u1', handle: 'alice', value: 30 },
    ]);
  });

  it('counts songs submitted and reviewed, and skips granted, between the start and the end', async () => {
    const summary = await sessionSummary(database.db, session);
    expect(summary.submissionsReceived).toBe(2);
    expect(summary.submissionsReviewed).toBe(2);
    expect(summary.skips).toEqual([
      { tier: 'skip10', source: 'coins', count: 1 },
      { tier: 'skip10', source: 'confirmed', count: 1 },
      { tier: 'skip5', source: 'gift', count: 1 },
    ]);
  });

  it('reports no viewer figures for a session TikTok sent no counts for', async () => {
    await database.db.execute(sql`INSERT INTO live_sessions (guild_id, tiktok_username, started_at)
      VALUES (${GUILD}, 'reviewstream', now() - interval '90 seconds')`);
    const live = (await findSession(database.db, GUILD, 'latest'))!;
    const summary = await sessionSummary(database.db, live);
    expect(live.endedAt).toBeNull();
    expect(summary).toMatchObject({ peakViewers: null, averageViewers: null, uniqueViewers: 0, likes: 0 });
    expect(summary.durationSeconds).toBeGreaterThanOrEqual(90);
  });

  it('totals each viewer of the session, watchers who never interacted included, in pages that together cover everyone once', async () => {
    const expected = [
      {
        tiktokUserId: 'u1',
        handle: 'alice',
        likes: 25,
        comments: 2,
        joins: 1,
        shares: 0,
        follows: 0,
        gifts: 1,
        tiktokCoins: 1,
        points: 30,
        watchMinutes: 40,
      },
      {
        tiktokUserId: 'u2',
        handle: FORMULA_HANDLE,
        likes: 5,
        comments: 0,
        joins: 1,
        shares: 1,
        follows: 0,
        gifts: 6,
        tiktokCoins: 600,
        points: 610,
        watchMinutes: 10,
      },
      {
        tiktokUserId: 'u3',
        handle: 'u3',
        likes: 0,
        comments: 1,
        joins: 1,
        shares: 0,
        follows: 1,
        gifts: 3,
        tiktokCoins: 300,
        points: 42,
        watchMinutes: 0,
      },
      {
        tiktokUserId: 'u4',
        handle: 'lurker',
        likes: 0,
        comments: 0,
        joins: 0,
        shares: 0,
        follows: 0,
        gifts: 0,
        tiktokCoins: 0,
        points: 0,
        watchMinutes: 25,
      },
    ];
    expect(await sessionViewersPage(database.db, session, null, 10)).toEqual(expected);
    const chunks = [];
    for await (const chunk of sessionViewers(database.db, session, 2)) chunks.push(chunk);
    expect(chunks.map((c) => c.length)).toEqual([2, 2]);
    expect(chunks.flat()).toEqual(expected);
  });

  it('lays the session out minute by minute, empty minutes included', async () => {
    const timeline = await sessionTimeline(database.db, session);
    expect(timeline.map((m) => ({ ...m, minute: m.minute.toISOString().slice(11, 16) }))).toEqual([
      { minute: '18:00', viewers: 20, likes: 15, gifts: 0, giftTikTokCoins: 0 },
      { minute: '18:01', viewers: 30, likes: 5, gifts: 1, giftTikTokCoins: 100 },
      // One rose from alice and a streak of three that started in this minute.
      { minute: '18:02', viewers: null, likes: 0, gifts: 4, giftTikTokCoins: 301 },
      { minute: '18:03', viewers: 15, likes: 10, gifts: 5, giftTikTokCoins: 500 },
      { minute: '18:04', viewers: null, likes: 0, gifts: 0, giftTikTokCoins: 0 },
    ]);
  });

  it('lists the guild sessions newest first, a page at a time', async () => {
    const first = await listSessions(database.db, GUILD, { offset: 0, limit: 1 });
    expect(first.total).toBe(2);
    expect(first.entries).toEqual([
      {
        session: expect.objectContaining({ id: sessionId }),
        peakViewers: 30,
        likes: 30,
        giftTikTokCoins: 901,
      },
    ]);
    const second = await listSessions(database.db, GUILD, { offset: 1, limit: 1 });
    expect(second.entries.map((e) => [e.peakViewers, e.giftTikTokCoins])).toEqual([[999, 9999 + 7777]]);
  });
});
