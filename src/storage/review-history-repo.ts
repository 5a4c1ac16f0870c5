import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';
import { int8ArrayLiteral } from './pg-array.js';
import { CURRENT_RATINGS } from './ratings-repo.js';
import { toDate } from './rows.js';

/** A rated song as the history, the best-rated lists and the live summary show it. */
export interface ReviewEntry {
  submissionId: number;
  artist: string;
  title: string;
  submitterId: string;
  reviewerId: string;
  scoreTenths: number;
  verdict: string | null;
  ratedAt: Date;
}

const ENTRY_COLS = sql.raw(`r.submission_id, s.artist, s.title, s.submitter_id, r.reviewer_id, r.score_tenths,
  r.verdict, r.created_at`);

type Row = Record<string, unknown>;

function toEntry(row: Row): ReviewEntry {
  return {
    submissionId: Number(row.submission_id),
    artist: String(row.artist),
    title: String(row.title),
    submitterId: String(row.submitter_id),
    reviewerId: String(row.reviewer_id),
    scoreTenths: Number(row.score_tenths),
    verdict: (row.verdict as string | null) ?? null,
    ratedAt: toDate(row.created_at),
  };
}

/** The current ratings of the given songs of a server, by song id (for /my-submissions). */
export async function currentRatings(
  db: Queryable,
  guildId: string,
  submissionIds: readonly number[],
): Promise<Map<number, ReviewEntry>> {
  if (submissionIds.length === 0) return new Map();
  const rows = await rowsOf<Row>(
    db,
    sql`SELECT ${ENTRY_COLS} ${CURRENT_RATINGS}
        WHERE r.guild_id = ${guildId} AND r.submission_id = ANY(${int8ArrayLiteral(submissionIds)}::int8[])`,
  );
  return new Map(rows.map((row) => [Number(row.submission_id), toEntry(row)]));
}

/** The server's newest rating, if any (the overlay reveals it when it changes). */
export async function latestReview(db: Queryable, guildId: string): Promise<ReviewEntry | null> {
  const [row] = await rowsOf<Row>(
    db,
    sql`SELECT ${ENTRY_COLS} ${CURRENT_RATINGS} WHERE r.guild_id = ${guildId}
        ORDER BY r.created_at DESC, r.submission_id DESC LIMIT 1`,
  );
  return row ? toEntry(row) : null;
}

export interface ReviewPage {
  entries: ReviewEntry[];
  total: number;
}

/**
 * A server's reviews, newest first, one page at a time; `artist` matches part of the artist's name
 * in any case, `submitterId` one member's songs.
 */
export async function recentReviews(
  db: Queryable,
  guildId: string,
  options: { artist?: string; submitterId?: string; offset?: number; limit?: number } = {},
): Promise<ReviewPage> {
  const filters: SQL[] = [sql`r.guild_id = ${guildId}`];
  // position(), not LIKE: a % or _ typed in the filter is a character, not a wildcard.
  if (options.artist) filters.push(sql`position(lower(${options.artist}) in lower(s.artist)) > 0`);
  if (options.submitterId) filters.push(sql`s.submitter_id = ${options.submitterId}`);
  const where = sql.join(filters, sql` AND `);
  const limit = Math.min(Math.max(options.limit ?? 10, 1), 50);
  const offset = Math.max(options.offset ?? 0, 0);
  const [rows, [count]] = await Promise.all([
    rowsOf<Row>(
      db,
      sql`SELECT ${ENTRY_COLS} ${CURRENT_RATINGS} WHERE ${where}
          ORDER BY r.created_at DESC, r.submission_id DESC LIMIT ${limit} OFFSET ${offset}`,
    ),
    rowsOf<{ n: number }>(db, sql`SELECT count(*)::int AS n ${CURRENT_RATINGS} WHERE ${where}`),
  ]);
  return { entries: rows.map(toEntry), total: Number(count?.n ?? 0) };
}

/**
 * The best-rated songs of a server rated in [since, until): highest score first, and among equal
 * scores the one rated first (it set the mark).
 */
export async function bestRated(
  db: Queryable,
  guildId: string,
  options: { since?: Date; until?: Date; limit?: number } = {},
): Promise<ReviewEntry[]> {
  const rows = await rowsOf<Row>(
    db,
    sql`SELECT ${ENTRY_COLS} ${CURRENT_RATINGS}
        WHERE r.guild_id = ${guildId}
          AND r.created_at >= COALESCE(${options.since?.toISOString() ?? null}::timestamptz, '-infinity')
          AND r.created_at < COALESCE(${options.until?.toISOString() ?? null}::timestamptz, 'infinity')
        ORDER BY r.score_tenths DESC, r.created_at, r.submission_id
        LIMIT ${Math.min(Math.max(options.limit ?? 10, 1), 25)}`,
  );
  return rows.map(toEntry);
}

export interface ReviewTotals {
  reviewed: number;
  /** Average score in tenths, rounded to the nearest tenth; null when nothing was rated. */
  averageTenths: number | null;
  best: ReviewEntry | null;
}

/** Songs rated in [since, until), their average score and the best-rated one: the live summary's lines. */
export async function reviewTotals(
  db: Queryable,
  guildId: string,
  since: Date,
  until: Date,
): Promise<ReviewTotals> {
  const [[totals], [best]] = await Promise.all([
    rowsOf<{ n: number; average: string | number | null }>(
      db,
      sql`SELECT count(*)::int AS n, round(avg(r.score_tenths))::int AS average ${CURRENT_RATINGS}
          WHERE r.guild_id = ${guildId} AND r.created_at >= ${since.toISOString()}::timestamptz
            AND r.created_at < ${until.toISOString()}::timestamptz`,
    ),
    bestRated(db, guildId, { since, until, limit: 1 }),
  ]);
  const reviewed = Number(totals?.n ?? 0);
  return {
    reviewed,
    averageTenths: reviewed > 0 && totals?.average !== null ? Number(totals?.average) : null,
    best: best ?? null,
  };
}

/**
 * The best rated of the server's latest TikTok LIVE (the one on now, or the last one): rated from its
 * start to its end. Null when the server never went live with the bot.
 */
export async function bestRatedThisLive(
  db: Queryable,
  guildId: string,
  limit: number,
): Promise<{ startedAt: Date; entries: ReviewEntry[] } | null> {
  const [live] = await rowsOf<{ started_at: unknown; ended_at: unknown }>(
    db,
    sql`SELECT started_at, ended_at FROM live_sessions WHERE guild_id = ${guildId}
        ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  if (!live) return null;
  const startedAt = toDate(live.started_at);
  const entries = await bestRated(db, guildId, {
    since: startedAt,
    ...(live.ended_at ? { until: toDate(live.ended_at) } : {}),
    limit,
  });
  return { startedAt, entries };
}

/** Every song rated in [since, until), in the order rated: the reviews of a session's exports. */
export async function reviewsDuring(
  db: Queryable,
  guildId: string,
  since: Date,
  until: Date,
): Promise<ReviewEntry[]> {
  const rows = await rowsOf<Row>(
    db,
    sql`SELECT ${ENTRY_COLS} ${CURRENT_RATINGS}
        WHERE r.guild_id = ${guildId} AND r.created_at >= ${since.toISOString()}::timestamptz
          AND r.created_at < ${until.toISOString()}::timestamptz
        ORDER BY r.created_at, r.submission_id`,
  );
  return rows.map(toEntry);
}
