import { sql } from 'drizzle-orm';
import { UserFacingError } from '../domain/errors.js';
import { decideTakeUndo, type TakeRecord } from '../domain/undo-take.js';
import type { Tier } from '../domain/tiers.js';
import { recordAudit } from './audit-repo.js';
import { BALANCE_CAP } from './balance-cap.js';
import { rowsOf, type Queryable } from './connect.js';
import { toDate, toDateOrNull } from './rows.js';
import {
  SUBMISSION_COLS as cols,
  toSubmission,
  type RawRow,
  type SubmissionRecord,
} from './submission-record.js';
import { lockSubmission } from './submissions-repo.js';

/** Where a take's "Now reviewing" post is, so an undo from /undo-next can edit it. */
export interface ReviewPost {
  channelId: string;
  messageId: string;
}

/** Notes the "Now reviewing" post of the song's current take. */
export async function recordReviewPost(
  db: Queryable,
  guildId: string,
  submissionId: number,
  post: ReviewPost,
): Promise<void> {
  await db.execute(
    sql`UPDATE take_records SET channel_id = ${post.channelId}, message_id = ${post.messageId}
        WHERE guild_id = ${guildId} AND submission_id = ${submissionId} AND undone_at IS NULL`,
  );
}

const RECORD_COLS = sql.raw(`submission_id, taken_at, served_from, served_score, discord_points,
  tiktok_user_id, tiktok_points, undone_at, channel_id, message_id`);

function toTakeRecord(row: RawRow): TakeRecord & { post: ReviewPost | null } {
  return {
    submissionId: Number(row.submission_id),
    takenAt: toDate(row.taken_at),
    servedFrom: row.served_from as Tier,
    servedScore: Number(row.served_score),
    discordPoints: Number(row.discord_points),
    tiktokUserId: (row.tiktok_user_id as string | null) ?? null,
    tiktokPoints: Number(row.tiktok_points),
    undoneAt: toDateOrNull(row.undone_at),
    post:
      row.channel_id && row.message_id
        ? { channelId: String(row.channel_id), messageId: String(row.message_id) }
        : null,
  };
}

/**
 * Undoes a take in one transaction: the song goes back to the tier it was served from with the
 * ordering keys it had (a Free song re-enters `free_order` at its served score, by the trigger of
 * migration 0007), the points the take reset are added back, and the undo is in the audit log.
 * Without `submissionId`, the server's latest take not yet undone. `windowMinutes` and the checks
 * are the domain's (decideTakeUndo).
 */
export async function undoTake(
  db: Queryable,
  guildId: string,
  request: { submissionId?: number; actorId: string; windowMinutes: number; now?: Date },
): Promise<{ submission: SubmissionRecord; post: ReviewPost | null; points: number }> {
  return db.transaction(async (tx) => {
    const which =
      request.submissionId === undefined
        ? sql`undone_at IS NULL ORDER BY taken_at DESC LIMIT 1`
        : sql`submission_id = ${request.submissionId}`;
    const [row] = await rowsOf<RawRow>(
      tx,
      sql`SELECT ${RECORD_COLS} FROM take_records WHERE guild_id = ${guildId} AND ${which} FOR UPDATE`,
    );
    if (!row) {
      throw new UserFacingError(
        'not_found',
        request.submissionId === undefined
          ? 'There is no review to undo in this server.'
          : `Song id ${request.submissionId} has not been taken for review, so there is nothing to undo.`,
      );
    }
    const take = toTakeRecord(row);
    const song = await lockSubmission(tx, guildId, take.submissionId);
    const undo = decideTakeUndo(take, song, request.now ?? new Date(), request.windowMinutes);
    const [restored] = await rowsOf<RawRow>(
      tx,
      sql`UPDATE submissions SET tier = ${undo.tier}, score = ${undo.score}, played_at = NULL, played_by = NULL,
            tier_since = (SELECT served_since FROM take_records
                          WHERE guild_id = ${guildId} AND submission_id = ${take.submissionId})
          WHERE id = ${take.submissionId} RETURNING ${cols}`,
    );
    if (!restored) throw new Error(`submission ${take.submissionId} vanished inside its transaction`);
    if (undo.discordPoints > 0) {
      await tx.execute(
        sql`INSERT INTO user_points (guild_id, discord_user_id, points) VALUES (${guildId}, ${song.submitterId}, ${undo.discordPoints})
            ON CONFLICT (guild_id, discord_user_id)
            DO UPDATE SET points = LEAST(user_points.points + EXCLUDED.points, ${BALANCE_CAP}), updated_at = now()`,
      );
    }
    if (undo.tiktok && undo.tiktok.points > 0) {
      await tx.execute(
        sql`UPDATE tiktok_accounts SET points = LEAST(points + ${undo.tiktok.points}, ${BALANCE_CAP})
            WHERE guild_id = ${guildId} AND tiktok_user_id = ${undo.tiktok.userId}`,
      );
    }
    await tx.execute(
      sql`UPDATE take_records SET undone_at = now(), undone_by = ${request.actorId}
          WHERE guild_id = ${guildId} AND submission_id = ${take.submissionId}`,
    );
    const points = undo.discordPoints + (undo.tiktok?.points ?? 0);
    await recordAudit(tx, {
      guildId,
      actorId: request.actorId,
      action: 'undo_take',
      targetUserId: song.submitterId,
      submissionId: take.submissionId,
      details: { to: undo.tier, points },
    });
    return { submission: toSubmission(restored), post: take.post, points };
  });
}
