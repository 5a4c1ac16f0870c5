import { sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportSession, loadSessionOverview, VIEWER_CHUNK_SIZE } from '../../src/analytics/export-session.js';
import { memorySink } from '../../src/analytics/session-report.js';
import { UserFacingError } from '../../src/domain/errors.js';
import { rowsOf } from '../../src/storage/connect.js';
import { GUILD, OTHER_GUILD } from '../support/db/fixtures.js';
import {
  DRIVER_KINDS,
  openTestDatabase,
  type TestDatabase,
  useTestDatabase,
} from '../support/db/test-database.js';
import { pngSize } from './png.js';
import { FORMULA_HANDLE, FORMULA_VERDICT, REVIEWED_ARTIST, seedSession } from './session-fixture.js';

describe.each(DRIVER_KINDS)('session export (%s)', (kind) => {
  let database: TestDatabase;
  let sessionId: number;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
    sessionId = await seedSession(database.db, GUILD, OTHER_GUILD);
  });

  async function exportLatest() {
    const overview = await loadSessionOverview(database.db, GUILD, 'latest');
    const csv = memorySink();
    const json = memorySink();
    const chunks: number[] = [];
    const result = await exportSession(database.db, overview, { csv, json }, (n) => chunks.push(n));
    return {
      overview,
      result,
      chunks,
      csv: csv.buffer().toString('utf8'),
      json: json.buffer().toString('utf8'),
    };
  }

  /**
   * The session's totals straight from the tables, without the metrics queries: a streaking gift is
   * counted by its gift_streaks row, any other gift by its repeat count.
   */
  async function databaseTotals() {
    const [row] = await rowsOf<Record<string, number>>(
      database.db,
      sql`WITH i AS (SELECT * FROM interactions WHERE guild_id = ${GUILD} AND session_id = ${sessionId}),
        g AS (SELECT * FROM gift_streaks WHERE guild_id = ${GUILD} AND session_id = ${sessionId}),
        w AS (SELECT * FROM session_watch WHERE guild_id = ${GUILD} AND session_id = ${sessionId})
      SELECT
        (SELECT COALESCE(sum(amount), 0) FROM i WHERE kind = 'like') AS likes,
        (SELECT count(*) FROM i WHERE kind = 'comment') AS comments,
        (SELECT count(*) FROM i WHERE kind = 'join') AS joins,
        (SELECT count(*) FROM i WHERE kind = 'share') AS shares,
        (SELECT count(*) FROM i WHERE kind = 'follow') AS follows,
        (SELECT COALESCE(sum((payload->>'repeatCount')::int), 0) + count(*) FILTER (WHERE payload->>'repeatCount' IS NULL)
           FROM i WHERE kind = 'gift' AND payload->>'streakable' IS DISTINCT FROM 'true')
          + (SELECT COALESCE(sum(repeat_count), 0) FROM g) AS gifts,
        (SELECT COALESCE(sum(amount), 0) FROM i WHERE kind = 'gift') + (SELECT COALESCE(sum(credited_value), 0) FROM g)
          AS tiktok_coins,
        (SELECT COALESCE(sum(points), 0) FROM i) + (SELECT COALESCE(sum(credited_points), 0) FROM g) AS points,
        (SELECT COALESCE(sum(minutes), 0) FROM w) AS watch_minutes,
        (SELECT count(DISTINCT u) FROM (
           SELECT tiktok_user_id FROM i WHERE tiktok_user_id IS NOT NULL
           UNION SELECT tiktok_user_id FROM g UNION SELECT tiktok_user_id FROM w) v(u)) AS viewers`,
    );
    return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
  }

  it('writes a CSV with one record per viewer whose columns add up to the totals in the database', async () => {
    const { csv } = await exportLatest();
    const records: Record<string, string>[] = parse(csv, { columns: true });
    const columns = [
      'likes',
      'comments',
      'joins',
      'shares',
      'follows',
      'gifts',
      'tiktok_coins',
      'points',
      'watch_minutes',
    ];
    const csvTotals = Object.fromEntries(
      columns.map((c) => [c, records.reduce((sum, r) => sum + Number(r[c]), 0)]),
    );
    const expected = await databaseTotals();
    expect({ ...csvTotals, viewers: records.length }).toEqual(expected);
    // The seeded session has some of everything, so a column left at zero would not pass unnoticed.
    expect(Object.values(expected).every((v) => v > 0)).toBe(true);
    expect(records.find((r) => r.tiktok_user_id === 'u2')?.handle).toBe(`'${FORMULA_HANDLE}`);
  });

  it('agrees with the summary it is sent with', async () => {
    const { overview, csv } = await exportLatest();
    const records: Record<string, string>[] = parse(csv, { columns: true });
    const total = (column: string) => records.reduce((sum, r) => sum + Number(r[column]), 0);
    const s = overview.summary;
    expect([total('likes'), total('joins'), total('gifts'), total('tiktok_coins'), total('points')]).toEqual([
      s.likes,
      s.joins,
      s.gifts,
      s.giftTikTokCoins,
      s.pointsAwarded,
    ]);
  });

  it('writes a JSON document with the summary, the timeline and every viewer', async () => {
    const { overview, json } = await exportLatest();
    const doc = JSON.parse(json);
    expect(doc.summary).toMatchObject({ session: { id: sessionId }, likes: 30, giftTikTokCoins: 901 });
    expect(doc.timeline).toHaveLength(overview.timeline.length);
    expect(doc.viewers.map((v: { handle: string }) => v.handle)).toEqual([
      'alice',
      FORMULA_HANDLE,
      'u3',
      'lurker',
    ]);
    expect(doc.summary.coinsAwarded).toEqual({ total: 17, gifts: 12, watchTime: 5 });
  });

  it('includes the songs rated during the session, in the order rated, in the JSON and the reviews CSV', async () => {
    const { json, result } = await exportLatest();
    expect(JSON.parse(json).reviews).toEqual([
      expect.objectContaining({ artist: REVIEWED_ARTIST, score: 8.5, verdict: FORMULA_VERDICT }),
      expect.objectContaining({
        artist: 'Artist',
        score: 6,
        verdict: null,
        ratedAt: '2026-11-20T18:03:50.000Z',
      }),
    ]);
    const rows: Record<string, string>[] = parse(result.reviewsCsv, { columns: true });
    expect(rows.map((r) => [r.artist, r.score, r.verdict])).toEqual([
      [`'${REVIEWED_ARTIST}`, '8.5', `'${FORMULA_VERDICT}`],
      ['Artist', '6', ''],
    ]);
  });

  it('reports progress per chunk of viewers and renders the chart', async () => {
    const { result, chunks } = await exportLatest();
    expect(chunks).toEqual([4]);
    expect(VIEWER_CHUNK_SIZE).toBeGreaterThan(4);
    expect(result.viewers).toBe(4);
    expect(pngSize(result.chart)).toEqual({ width: 1200, height: 600 });
  });

  it('refuses an unknown session with a message naming it', async () => {
    const refused = loadSessionOverview(database.db, GUILD, 424242);
    await expect(refused).rejects.toThrow(UserFacingError);
    await expect(refused).rejects.toThrow(/no live session #424242/);
  });
});

describe('session export of a session without viewers', () => {
  const database = useTestDatabase('pglite');

  it('is still a header-only CSV and a valid JSON document', async () => {
    await database.db.execute(
      sql`INSERT INTO live_sessions (guild_id, tiktok_username) VALUES (${GUILD}, 'quiet')`,
    );
    const overview = await loadSessionOverview(database.db, GUILD, 'latest');
    const csv = memorySink();
    const json = memorySink();
    await exportSession(database.db, overview, { csv, json });
    expect(parse(csv.buffer(), { columns: true })).toEqual([]);
    expect(JSON.parse(json.buffer().toString('utf8')).viewers).toEqual([]);
    expect(JSON.parse(json.buffer().toString('utf8')).reviews).toEqual([]);
  });
});
