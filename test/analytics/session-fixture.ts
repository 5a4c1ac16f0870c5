import { sql } from 'drizzle-orm';
import type { Queryable } from '../../src/storage/connect.js';

/** The seeded session runs 18:00–18:04 UTC; everything below is placed relative to its start. */
export const SESSION_START = new Date('2026-11-20T18:00:00Z');
export const SESSION_END = new Date('2026-11-20T18:04:00Z');

const at = (minutes: number, seconds = 0) =>
  new Date(SESSION_START.getTime() + (minutes * 60 + seconds) * 1000);

/** A verdict a spreadsheet would run as a formula. */
export const FORMULA_VERDICT = '=1+1 great mix';
export const REVIEWED_ARTIST = '@Nova';

/** A handle a spreadsheet would run as a formula. */
export const FORMULA_HANDLE = '=HYPERLINK("http://evil.example","x")';

type Kind = 'gift' | 'like' | 'join' | 'comment' | 'share' | 'follow' | 'viewers';

interface Interaction {
  kind: Kind;
  user: string | null;
  at: Date;
  amount?: number;
  points?: number;
  payload?: object;
}

let msgCounter = 0;

async function insertInteractions(db: Queryable, guildId: string, sessionId: number, rows: Interaction[]) {
  for (const r of rows) {
    await db.execute(sql`INSERT INTO interactions
      (guild_id, session_id, kind, msg_id, tiktok_user_id, amount, points, payload, occurred_at)
      VALUES (${guildId}, ${sessionId}, ${r.kind}, ${`msg-${++msgCounter}`}, ${r.user}, ${r.amount ?? 0},
        ${r.points ?? 0}, ${JSON.stringify(r.payload ?? {})}::jsonb, ${r.at})`);
  }
}

async function insertStreak(
  db: Queryable,
  guildId: string,
  sessionId: number,
  s: { user: string; repeats: number; value: number; points: number; startedAt: Date },
) {
  await db.execute(sql`INSERT INTO gift_streaks (guild_id, streak_key, session_id, tiktok_user_id, gift_id,
      diamond_count, repeat_count, credited_value, credited_points, started_at)
    VALUES (${guildId}, ${`${s.user}:5655:${++msgCounter}`}, ${sessionId}, ${s.user}, 5655,
      ${s.value / s.repeats}, ${s.repeats}, ${s.value}, ${s.points}, ${s.startedAt})`);
}

async function insertSession(db: Queryable, guildId: string, start: Date, end: Date | null): Promise<number> {
  const result =
    (await db.execute(sql`INSERT INTO live_sessions (guild_id, tiktok_username, started_at, ended_at)
    VALUES (${guildId}, 'reviewstream', ${start}, ${end}) RETURNING id`)) as unknown as {
      rows: { id: number }[];
    };
  return Number(result.rows[0]!.id);
}

async function insertSubmission(
  db: Queryable,
  guildId: string,
  submittedAt: Date,
  playedAt: Date | null,
  artist = 'Artist',
): Promise<number> {
  const result =
    (await db.execute(sql`INSERT INTO submissions (guild_id, submitter_id, artist, title, link, tier, submitted_at, played_at)
    VALUES (${guildId}, '300000000000000001', ${artist}, 'Song', ${`https://soundcloud.com/a/${++msgCounter}`},
      ${playedAt ? 'played' : 'free'}, ${submittedAt}, ${playedAt}) RETURNING id`)) as unknown as {
      rows: { id: number }[];
    };
  return Number(result.rows[0]!.id);
}

/** A rating of a played song, given `after` its play. */
async function insertReview(
  db: Queryable,
  guildId: string,
  submissionId: number,
  scoreTenths: number,
  verdict: string | null,
  ratedAt: Date,
) {
  await db.execute(sql`INSERT INTO reviews (guild_id, submission_id, reviewer_id, score_tenths, verdict, taken_at, created_at, updated_at)
    SELECT ${guildId}, id, '200000000000000001', ${scoreTenths}, ${verdict}, played_at, ${ratedAt}, ${ratedAt}
    FROM submissions WHERE id = ${submissionId}`);
}

async function insertAudit(db: Queryable, guildId: string, action: string, details: object, createdAt: Date) {
  await db.execute(sql`INSERT INTO audit_log (guild_id, actor_id, action, details, created_at)
    VALUES (${guildId}, '200000000000000001', ${action}, ${JSON.stringify(details)}::jsonb, ${createdAt})`);
}

async function insertWatch(db: Queryable, guildId: string, sessionId: number, user: string, minutes: number) {
  await db.execute(sql`INSERT INTO session_watch (guild_id, session_id, tiktok_user_id, minutes)
    VALUES (${guildId}, ${sessionId}, ${user}, ${minutes})`);
}

/**
 * One finished session with four viewers (alice, a formula-named viewer, one TikTok never gave an
 * account row, and a lurker who only watched), an earlier session and another guild's session whose
 * data must not leak in. The expected figures are spelled out in the tests.
 */
export async function seedSession(db: Queryable, guildId: string, otherGuildId: string): Promise<number> {
  await db.execute(sql`INSERT INTO tiktok_accounts (guild_id, tiktok_user_id, handle, points, watch_minutes)
    VALUES (${guildId}, 'u1', 'alice', 500, 90), (${guildId}, 'u2', ${FORMULA_HANDLE}, 0, 10),
      (${guildId}, 'u4', 'lurker', 0, 25)`);
  const earlier = await insertSession(
    db,
    guildId,
    new Date('2026-11-19T18:00:00Z'),
    new Date('2026-11-19T19:00:00Z'),
  );
  const id = await insertSession(db, guildId, SESSION_START, SESSION_END);
  const elsewhere = await insertSession(db, otherGuildId, SESSION_START, SESSION_END);

  await insertInteractions(db, guildId, id, [
    { kind: 'viewers', user: null, at: at(0, 10), amount: 10 },
    { kind: 'viewers', user: null, at: at(0, 40), amount: 20 },
    { kind: 'viewers', user: null, at: at(1, 30), amount: 30 },
    { kind: 'viewers', user: null, at: at(3, 0), amount: 15 },
    { kind: 'join', user: 'u1', at: at(0, 5) },
    { kind: 'join', user: 'u2', at: at(0, 6) },
    { kind: 'join', user: 'u3', at: at(0, 7) },
    { kind: 'like', user: 'u1', at: at(0, 20), amount: 15, points: 15 },
    { kind: 'like', user: 'u2', at: at(1, 10), amount: 5, points: 5 },
    { kind: 'like', user: 'u1', at: at(3, 30), amount: 10, points: 10 },
    { kind: 'comment', user: 'u1', at: at(0, 30), points: 2 },
    { kind: 'comment', user: 'u1', at: at(2, 30), points: 2 },
    { kind: 'comment', user: 'u3', at: at(2, 40), points: 2 },
    { kind: 'share', user: 'u2', at: at(2, 50), points: 5 },
    { kind: 'follow', user: 'u3', at: at(3, 5), points: 10 },
    { kind: 'gift', user: 'u2', at: at(1, 20), amount: 100, points: 100 },
    { kind: 'gift', user: 'u1', at: at(2, 0), amount: 1, points: 1 },
    // Five gifts of 100 at once, not a streak.
    {
      kind: 'gift',
      user: 'u2',
      at: at(3, 10),
      amount: 500,
      points: 500,
      payload: { streakable: false, repeatCount: 5 },
    },
    // A streak's updates are worth nothing as interactions: its gift_streaks row carries the value.
    ...[1, 2, 3].map((repeatCount) => ({
      kind: 'gift' as const,
      user: 'u3',
      at: at(2, 19 + repeatCount),
      payload: { streakable: true, repeatCount },
    })),
  ]);
  await insertInteractions(db, guildId, earlier, [
    {
      kind: 'gift',
      user: 'u1',
      at: new Date('2026-11-19T18:10:00Z'),
      amount: 9999,
      points: 9999,
    },
    { kind: 'viewers', user: null, at: new Date('2026-11-19T18:10:00Z'), amount: 999 },
  ]);
  await insertInteractions(db, otherGuildId, elsewhere, [
    { kind: 'like', user: 'u1', at: at(1), amount: 1000, points: 1000 },
  ]);

  await insertStreak(db, guildId, id, {
    user: 'u3',
    repeats: 3,
    value: 300,
    points: 30,
    startedAt: at(2, 20),
  });
  await insertStreak(db, guildId, earlier, {
    user: 'u1',
    repeats: 1,
    value: 7777,
    points: 7777,
    startedAt: new Date('2026-11-19T18:20:00Z'),
  });
  await db.execute(sql`UPDATE live_sessions SET coins_awarded = 17, gift_coins_awarded = 12, watch_coins_awarded = 5
    WHERE id = ${id}`);
  await insertWatch(db, guildId, id, 'u1', 40);
  await insertWatch(db, guildId, id, 'u2', 10);
  await insertWatch(db, guildId, id, 'u4', 25);
  await insertWatch(db, guildId, earlier, 'u1', 999);
  await insertWatch(db, otherGuildId, elsewhere, 'u1', 500);

  const first = await insertSubmission(db, guildId, at(-30), at(1), REVIEWED_ARTIST);
  await insertSubmission(db, guildId, at(2), null);
  const second = await insertSubmission(db, guildId, at(3), at(3, 30));
  const after = await insertSubmission(db, guildId, at(10), at(11));
  const elsewhereSong = await insertSubmission(db, otherGuildId, at(2), at(3));
  // Two songs rated during the session (one verdict a spreadsheet would run); ratings after it, or
  // in another server, stay out of its reports.
  await insertReview(db, guildId, first, 85, FORMULA_VERDICT, at(1, 45));
  await insertReview(db, guildId, second, 60, null, at(3, 50));
  await insertReview(db, guildId, after, 100, null, at(11, 30));
  await insertReview(db, otherGuildId, elsewhereSong, 10, null, at(3, 10));

  await insertAudit(db, guildId, 'confirm_skip', { amount: 10, tier: 'skip10' }, at(1));
  await insertAudit(db, guildId, 'buy_skip', { price: 1000, from: 'free', to: 'skip10' }, at(2));
  await insertAudit(db, guildId, 'gift_skip', { to: 'skip5' }, at(3));
  await insertAudit(db, guildId, 'confirm_skip', { amount: 25, tier: 'skip25' }, at(-10));
  await insertAudit(db, guildId, 'reject_skip', { amount: 5 }, at(2));
  await insertAudit(db, otherGuildId, 'confirm_skip', { amount: 5, tier: 'skip5' }, at(2));
  return id;
}
