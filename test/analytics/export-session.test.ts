import { sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportSession, loadSessionOverview, VIEWER_CHUNK_SIZE } from '../../src/analytics/export-session.js';
import { memorySink } from '../../src/analytics/session-report.js';
import { UserFacingError } from '../../src/domain/errors.js';
import { GUILD, OTHER_GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { pngSize } from './png.js';
import { FORMULA_HANDLE, seedSession } from './session-fixture.js';

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

  it('writes a CSV whose columns add up to the session totals in the database', async () => {
    const { overview, csv } = await exportLatest();
    const records: Record<string, string>[] = parse(csv, { columns: true });
    const total = (column: string) => records.reduce((sum, r) => sum + Number(r[column]), 0);
    const s = overview.summary;
    expect(records).toHaveLength(s.uniqueViewers);
    expect(total('likes')).toBe(s.likes);
    expect(total('comments')).toBe(s.comments);
    expect(total('shares')).toBe(s.shares);
    expect(total('follows')).toBe(s.follows);
    expect(total('gifts')).toBe(s.gifts);
    expect(total('tiktok_coins')).toBe(s.giftTikTokCoins);
    expect(total('points')).toBe(s.pointsAwarded);
    expect(records.find((r) => r.tiktok_user_id === 'u2')?.handle).toBe(`'${FORMULA_HANDLE}`);
  });

  it('writes a JSON document with the summary, the timeline and every viewer', async () => {
    const { overview, json } = await exportLatest();
    const doc = JSON.parse(json);
    expect(doc.summary).toMatchObject({ session: { id: sessionId }, likes: 30, giftTikTokCoins: 901 });
    expect(doc.timeline).toHaveLength(overview.timeline.length);
    expect(doc.viewers.map((v: { handle: string }) => v.handle)).toEqual(['alice', FORMULA_HANDLE, 'u3']);
  });

  it('reports progress per chunk of viewers and renders the chart', async () => {
    const { result, chunks } = await exportLatest();
    expect(chunks).toEqual([3]);
    expect(VIEWER_CHUNK_SIZE).toBeGreaterThan(3);
    expect(result.viewers).toBe(3);
    expect(pngSize(result.chart)).toEqual({ width: 1200, height: 600 });
  });

  it('refuses an unknown session with a message naming it', async () => {
    const refused = loadSessionOverview(database.db, GUILD, 424242);
    await expect(refused).rejects.toThrow(UserFacingError);
    await expect(refused).rejects.toThrow(/no live session #424242/);
  });
});

describe('session export of a session without viewers', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
  });

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
  });
});
