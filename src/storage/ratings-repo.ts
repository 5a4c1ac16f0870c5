import { sql } from 'drizzle-orm';
import { UserFacingError } from '../domain/errors.js';
import { decideRating, formatScore, type RatedSong } from '../domain/ratings.js';
import { recordAudit } from './audit-repo.js';
import { rowsOf, type Queryable } from './connect.js';
import { songUnderReview } from './overlay-repo.js';
import { toDate } from './rows.js';
import type { SubmissionRecord } from './submission-record.js';
import { getSubmission, lockSubmission } from './submissions-repo.js';
import type { ReviewPost } from './take-records-repo.js';

/** A song's current rating. */
export interface Rating {
  submissionId: number;
  reviewerId: string;
  scoreTenths: number;
  verdict: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RatingRequest {
  /** Without it, the song under review. */
  submissionId?: number;
  reviewerId: string;
  scoreTenths: number;
  verdict: string | null;
  /** A correction changes an existing rating; a plain rating refuses to. */
  correcting: boolean;
}

export interface RatingResult {
  song: SubmissionRecord;
  rating: Rating;
  /** The score before a correction; null for a first rating. */
  previousTenths: number | null;
  /** The song's "Now reviewing" post, when its take noted one. */
  post: ReviewPost | null;
}

type Row = Record<string, unknown>;

/**
 * The ratings that count, as `r` joined to their song `s`: the song is still played by the take it was
 * rated in. A take undone, or a song removed or restored since, leaves its rating out of every read.
 */
export const CURRENT_RATINGS = sql.raw(`FROM reviews r JOIN submissions s ON s.id = r.submission_id
  AND s.guild_id = r.guild_id AND s.tier = 'played' AND r.taken_at = s.played_at`);

function toRating(row: Row): Rating {
  return {
    submissionId: Number(row.submission_id),
    reviewerId: String(row.reviewer_id),
    scoreTenths: Number(row.score_tenths),
    verdict: (row.verdict as string | null) ?? null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/**
 * Rates (or corrects the rating of) a song in one transaction: the song row is locked, so two
 * reviewers rating at once are served one after the other and the second is told it is already
 * rated. The rating and every correction are in the audit log, the verdict as its reason.
 */
export async function rateSong(
  db: Queryable,
  guildId: string,
  request: RatingRequest,
): Promise<RatingResult> {
  return db.transaction(async (tx) => {
    const id = request.submissionId ?? (await songUnderReview(tx, guildId))?.id;
    if (id === undefined) {
      throw new UserFacingError('not_found', 'No song is under review right now: take one with /next first.');
    }
    const song = await lockSubmission(tx, guildId, id);
    const state = await ratingState(tx, guildId, song);
    const previousTenths = state.currentScoreTenths;
    const kind = decideRating(state, request.correcting);
    const [row] = await rowsOf<Row>(
      tx,
      sql`INSERT INTO reviews AS r (guild_id, submission_id, reviewer_id, score_tenths, verdict, taken_at)
          SELECT ${guildId}, id, ${request.reviewerId}, ${request.scoreTenths}, ${request.verdict}, played_at
          FROM submissions WHERE id = ${id}
          ON CONFLICT (guild_id, submission_id) DO UPDATE SET
            reviewer_id = EXCLUDED.reviewer_id, score_tenths = EXCLUDED.score_tenths,
            verdict = EXCLUDED.verdict, updated_at = now(),
            created_at = CASE WHEN r.taken_at = EXCLUDED.taken_at THEN r.created_at ELSE now() END,
            taken_at = EXCLUDED.taken_at
          RETURNING submission_id, reviewer_id, score_tenths, verdict, created_at, updated_at`,
    );
    if (!row) throw new Error(`rating of submission ${id} returned no row`);
    await recordAudit(tx, {
      guildId,
      actorId: request.reviewerId,
      action: kind === 'rate' ? 'rate' : 'correct_rating',
      targetUserId: song.submitterId,
      submissionId: id,
      reason: request.verdict,
      details: {
        score: formatScore(request.scoreTenths),
        ...(previousTenths !== null ? { previous: formatScore(previousTenths) } : {}),
      },
    });
    const [post] = await rowsOf<Row>(
      tx,
      sql`SELECT t.channel_id, t.message_id FROM take_records t JOIN submissions s ON s.id = t.submission_id
          WHERE t.guild_id = ${guildId} AND t.submission_id = ${id} AND t.undone_at IS NULL
            AND t.taken_at = s.played_at AND t.channel_id IS NOT NULL AND t.message_id IS NOT NULL`,
    );
    return {
      song,
      rating: toRating(row),
      previousTenths,
      post: post ? { channelId: String(post.channel_id), messageId: String(post.message_id) } : null,
    };
  });
}

/** Whether the song is under review, and its current score: what decideRating weighs. */
async function ratingState(db: Queryable, guildId: string, song: SubmissionRecord): Promise<RatedSong> {
  const [current] = await rowsOf<Row>(
    db,
    sql`SELECT r.score_tenths ${CURRENT_RATINGS} WHERE r.guild_id = ${guildId} AND r.submission_id = ${song.id}`,
  );
  return {
    id: song.id,
    underReview: song.tier === 'played' && (await songUnderReview(db, guildId))?.id === song.id,
    currentScoreTenths: current ? Number(current.score_tenths) : null,
  };
}

/**
 * Checks a rating before the reviewer types it (the Rate form): refuses now, in the same words as
 * rateSong would after, a song already rated or not under review.
 */
export async function checkRatingAllowed(
  db: Queryable,
  guildId: string,
  submissionId: number,
  correcting: boolean,
): Promise<void> {
  const song = await getSubmission(db, guildId, submissionId);
  decideRating(await ratingState(db, guildId, song), correcting);
}

/** The song's rating from its current play, or null (never rated, or rated in a take since undone). */
export async function currentRating(
  db: Queryable,
  guildId: string,
  submissionId: number,
): Promise<Rating | null> {
  const [row] = await rowsOf<Row>(
    db,
    sql`SELECT r.submission_id, r.reviewer_id, r.score_tenths, r.verdict, r.created_at, r.updated_at
        ${CURRENT_RATINGS}
        WHERE r.guild_id = ${guildId} AND r.submission_id = ${submissionId}`,
  );
  return row ? toRating(row) : null;
}
