import { sql, type SQL } from 'drizzle-orm';
import { UserFacingError } from '../domain/errors.js';
import type { GuildSettings } from '../domain/guild-settings.js';
import { checkNewSubmission } from '../domain/submission-rules.js';
import { SKIP_TIERS, TIER_LABELS, tierRank, type Tier } from '../domain/tiers.js';
import { rowsOf, type Queryable } from './connect.js';
import { FREE_ORDER, FREE_SUBMISSION_COLS, liveFree } from './free-order.js';
import { toDateOrNull } from './rows.js';
import { FREE_RANK_LITERAL, inFree, inSkipTiers, memberScore, OPEN } from './sql-rules.js';
import {
  QUEUE_ORDER,
  SUBMISSION_COLS as cols,
  toSubmission,
  type RawRow,
  type SubmissionRecord,
} from './submission-record.js';

export interface NewSubmission {
  guildId: string;
  submitterId: string;
  artist: string;
  title: string;
  link?: { url: string; platform: string } | undefined;
  file?: { path: string; name: string } | undefined;
  note?: string | undefined;
  source: 'command' | 'message' | 'portal' | 'resubmit';
  resubmittedFrom?: number | undefined;
}

/** Serialises one user's submissions (two clicks at once must not both pass the open-submission rule). */
function lockUser(tx: Queryable, guildId: string, userId: string) {
  return tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${guildId + ':' + userId}, 0))`);
}

/** The submitter's engagement score: Discord points plus points of their linked TikTok account. */
export const scoreExpression = (guildId: string, userId: string) =>
  memberScore(
    sql`(SELECT points FROM user_points WHERE guild_id = ${guildId} AND discord_user_id = ${userId})`,
    sql`(SELECT points FROM tiktok_accounts WHERE guild_id = ${guildId} AND discord_user_id = ${userId})`,
  );

/**
 * Queues a song after checking the guild's submission rules. An unused skip credit of the submitter
 * (a paid skip removed unplayed) is applied to it automatically.
 */
export async function submitSong(
  db: Queryable,
  input: NewSubmission,
  settings: GuildSettings,
  now: Date = new Date(),
): Promise<{ submission: SubmissionRecord; usedCredit: boolean }> {
  if (!input.link === !input.file) throw new TypeError('a submission has exactly one of link or file');
  return db.transaction(async (tx) => {
    await lockUser(tx, input.guildId, input.submitterId);
    const [facts] = await rowsOf<{ open_by_user: number; link_open: boolean; last_at: unknown }>(
      tx,
      sql`SELECT
        (SELECT count(*) FROM submissions WHERE guild_id = ${input.guildId} AND submitter_id = ${input.submitterId} AND ${OPEN}) AS open_by_user,
        EXISTS (SELECT 1 FROM submissions WHERE guild_id = ${input.guildId} AND link = ${input.link?.url ?? null} AND ${OPEN}) AS link_open,
        (SELECT max(submitted_at) FROM submissions WHERE guild_id = ${input.guildId} AND submitter_id = ${input.submitterId}) AS last_at`,
    );
    checkNewSubmission(
      {
        openByUser: Number(facts?.open_by_user ?? 0),
        linkAlreadyOpen: Boolean(facts?.link_open),
        lastSubmittedAt: toDateOrNull(facts?.last_at),
        now,
      },
      settings.submissionRules,
    );
    const [credit] = await rowsOf<{ id: number; tier: Tier; skip_amount: number }>(
      tx,
      sql`SELECT id, tier, skip_amount FROM skip_credits
          WHERE guild_id = ${input.guildId} AND discord_user_id = ${input.submitterId} AND used_at IS NULL
          ORDER BY created_at, id LIMIT 1 FOR UPDATE`,
    );
    const [row] = await rowsOf<RawRow>(
      tx,
      sql`INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform, file_path, file_name, note,
            source, resubmitted_from, tier, skip_amount, score, submitted_at, tier_since)
          VALUES (${input.guildId}, ${input.submitterId}, ${input.artist}, ${input.title}, ${input.link?.url ?? null},
            ${input.link?.platform ?? null}, ${input.file?.path ?? null}, ${input.file?.name ?? null}, ${input.note ?? null},
            ${input.source}, ${input.resubmittedFrom ?? null}, ${credit?.tier ?? 'free'}, ${credit?.skip_amount ?? 0},
            ${scoreExpression(input.guildId, input.submitterId)}, ${now}, ${now})
          RETURNING ${cols}`,
    );
    if (!row) throw new Error('insert returned no row');
    const submission = toSubmission(row);
    if (credit) {
      await tx.execute(
        sql`UPDATE skip_credits SET used_at = ${now}, used_by_submission_id = ${submission.id} WHERE id = ${credit.id}`,
      );
    }
    return { submission, usedCredit: Boolean(credit) };
  });
}

export async function getSubmission(db: Queryable, guildId: string, id: number): Promise<SubmissionRecord> {
  const [row] = await rowsOf<RawRow>(
    db,
    sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND id = ${id}`,
  );
  if (!row) throw new UserFacingError('not_found', `There is no song with id ${id} in this server's queue.`);
  return toSubmission(row);
}

/** Locks and returns a submission inside a transaction. */
export async function lockSubmission(
  tx: Queryable,
  guildId: string,
  id: number,
  expectedTier?: Tier,
): Promise<SubmissionRecord> {
  const [row] = await rowsOf<RawRow>(
    tx,
    sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND id = ${id} FOR UPDATE`,
  );
  if (!row) throw new UserFacingError('not_found', `There is no song with id ${id} in this server's queue.`);
  const song = toSubmission(row);
  // A page acts on what it showed: a song someone else moved meanwhile is refused, not acted on blind.
  if (expectedTier !== undefined && song.tier !== expectedTier) {
    throw new UserFacingError(
      'stale',
      `Nothing was done: song ${id} was moved from ${TIER_LABELS[expectedTier]} to ${TIER_LABELS[song.tier]} by someone else a moment ago.`,
    );
  }
  return song;
}

export interface QueuePage {
  entries: (SubmissionRecord & { position: number })[];
  total: number;
}

/** One page of the given tiers in queue order; `position` counts from 1 within the listed tiers. */
export async function listQueue(
  db: Queryable,
  guildId: string,
  options: { tiers: readonly Tier[]; offset?: number; limit?: number },
): Promise<QueuePage> {
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.min(Math.max(1, options.limit ?? 10), 500);
  const counts = await rowsOf<{ tier: Tier; n: number }>(
    db,
    sql`SELECT tier, count(*) AS n FROM submissions
        WHERE guild_id = ${guildId} AND tier = ANY(${sql.param([...options.tiers])}::text[]) GROUP BY tier`,
  );
  const count = (tiers: readonly Tier[]) =>
    counts.filter((c) => tiers.includes(c.tier)).reduce((sum, c) => sum + Number(c.n), 0);
  const history = options.tiers.every((t) => t === 'played' || t === 'removed');
  // In serving order: the tiers before Free, Free (ordered in free_order), the tiers after it.
  const segments: { tiers: Tier[]; rows: (skip: number, take: number) => SQL }[] = history
    ? [
        {
          tiers: [...options.tiers],
          rows: (skip, take) => submissionRows(guildId, options.tiers, HISTORY_ORDER, skip, take),
        },
      ]
    : [
        options.tiers.filter((t) => tierRank(t) < FREE_RANK),
        options.tiers.filter((t) => t === 'free'),
        options.tiers.filter((t) => tierRank(t) > FREE_RANK),
      ].map((tiers) => ({
        tiers,
        rows: (skip: number, take: number) =>
          tiers[0] === 'free'
            ? freeRows(guildId, skip, take)
            : submissionRows(guildId, tiers, QUEUE_ORDER, skip, take),
      }));
  const entries: RawRow[] = [];
  let skip = offset;
  for (const segment of segments) {
    const n = count(segment.tiers);
    if (segment.tiers.length > 0 && skip < n && entries.length < limit) {
      entries.push(...(await rowsOf<RawRow>(db, segment.rows(skip, limit - entries.length))));
    }
    skip = Math.max(0, skip - n);
  }
  return {
    entries: entries.map((r, i) => ({ ...toSubmission(r), position: offset + i + 1 })),
    total: count(options.tiers),
  };
}

const FREE_RANK = tierRank('free');
const HISTORY_ORDER = sql.raw('tier_rank, tier_since DESC, id');

function submissionRows(
  guildId: string,
  tiers: readonly Tier[],
  order: SQL,
  skip: number,
  take: number,
): SQL {
  return sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND tier = ANY(${sql.param([...tiers])}::text[])
    ORDER BY ${order} OFFSET ${skip} LIMIT ${take}`;
}

function freeRows(guildId: string, skip: number, take: number): SQL {
  return sql`SELECT ${FREE_SUBMISSION_COLS} FROM ${liveFree(guildId)} ORDER BY ${FREE_ORDER} OFFSET ${skip} LIMIT ${take}`;
}

/** The user's open submissions with their place in line (serving tiers only; Pending has none). */
export async function userPositions(
  db: Queryable,
  guildId: string,
  userId: string,
): Promise<(SubmissionRecord & { position: number | null })[]> {
  const rows = await rowsOf<RawRow & { position: number | null }>(
    db,
    sql`WITH mine AS (
          SELECT ${cols}, tier_rank, priority, order_time FROM submissions
          WHERE guild_id = ${guildId} AND submitter_id = ${userId} AND ${OPEN} AND tier <> 'free'
          UNION ALL
          SELECT ${FREE_SUBMISSION_COLS}, ${FREE_RANK_LITERAL}, f.score, f.submitted_at FROM ${liveFree(guildId)} AND s.submitter_id = ${userId}
        )
        SELECT mine.*, CASE
          WHEN ${inSkipTiers('mine.tier_rank')} THEN (
            SELECT count(*) + 1 FROM submissions s
            WHERE s.guild_id = ${guildId} AND ${inSkipTiers('s.tier_rank')}
              AND (s.tier_rank, -s.priority, s.order_time, s.id) < (mine.tier_rank, -mine.priority, mine.order_time, mine.id))
          WHEN ${inFree('mine.tier_rank')} THEN (
            SELECT count(*) + 1 FROM submissions s WHERE s.guild_id = ${guildId} AND ${inSkipTiers('s.tier_rank')}
          ) + (
            -- Two index ranges of free_order_serving: higher scores, then ties that came earlier.
            SELECT count(*) FROM ${liveFree(guildId)} AND f.score > mine.priority
          ) + (
            SELECT count(*) FROM ${liveFree(guildId)}
              AND f.score = mine.priority AND (f.submitted_at, f.submission_id) < (mine.order_time, mine.id))
        END AS position
        FROM mine ORDER BY mine.tier_rank, mine.priority DESC, mine.order_time, mine.id`,
  );
  return rows.map((r) => ({ ...toSubmission(r), position: r.position === null ? null : Number(r.position) }));
}

/** A user's songs still waiting in the queue (any open tier), oldest first. */
export async function listWaitingSongs(
  db: Queryable,
  guildId: string,
  userId: string,
): Promise<SubmissionRecord[]> {
  const rows = await rowsOf<RawRow>(
    db,
    sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND submitter_id = ${userId} AND ${OPEN}
        ORDER BY submitted_at, id LIMIT 100`,
  );
  return rows.map(toSubmission);
}

/** A user's submissions, newest first (open and history). */
export async function listUserSubmissions(
  db: Queryable,
  guildId: string,
  userId: string,
  limit = 25,
): Promise<SubmissionRecord[]> {
  const rows = await rowsOf<RawRow>(
    db,
    sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND submitter_id = ${userId}
        ORDER BY submitted_at DESC, id DESC LIMIT ${Math.min(limit, 100)}`,
  );
  return rows.map(toSubmission);
}

/** Open submissions counts per tier, for queue views. */
export async function countByTier(db: Queryable, guildId: string): Promise<Record<Tier, number>> {
  const rows = await rowsOf<{ tier: Tier; n: number }>(
    db,
    sql`SELECT tier, count(*) AS n FROM submissions WHERE guild_id = ${guildId} GROUP BY tier`,
  );
  const counts = Object.fromEntries(
    [...SKIP_TIERS, 'free', 'pending', 'played', 'removed'].map((t) => [t, 0]),
  );
  for (const r of rows) counts[r.tier] = Number(r.n);
  return counts as Record<Tier, number>;
}
