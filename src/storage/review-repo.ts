import { and, eq, sql } from 'drizzle-orm';
import type { Tier } from '../domain/tiers.js';
import { recordAudit } from './audit-repo.js';
import type { Queryable } from './connect.js';
import { removeSubmission, restoreSubmission, takeNextSubmission } from './queue-moves.js';
import { userPreferences } from './schema.js';
import type { SubmissionRecord } from './submission-record.js';
import { lockSubmission } from './submissions-repo.js';

/** How a member wants to hear about their song; the defaults are the table's. */
export interface ReviewPreferences {
  /** A DM when their song becomes next in line. */
  notifyWhenNext: boolean;
  /** A mention in the "Now reviewing" post. */
  mentionWhenReviewed: boolean;
  /** A DM with the score when their song is rated. */
  notifyWhenRated: boolean;
}

export async function getPreferences(
  db: Queryable,
  guildId: string,
  userId: string,
): Promise<ReviewPreferences> {
  const [row] = await db
    .select()
    .from(userPreferences)
    .where(and(eq(userPreferences.guildId, guildId), eq(userPreferences.discordUserId, userId)));
  return {
    notifyWhenNext: row?.notifyWhenNext ?? false,
    mentionWhenReviewed: row?.mentionWhenReviewed ?? true,
    notifyWhenRated: row?.notifyWhenRated ?? true,
  };
}

/** Changes the given preferences and keeps the others; returns the result. */
export async function setPreferences(
  db: Queryable,
  guildId: string,
  userId: string,
  change: Partial<ReviewPreferences>,
): Promise<ReviewPreferences> {
  const [row] = await db
    .insert(userPreferences)
    .values({ guildId, discordUserId: userId, ...change })
    .onConflictDoUpdate({
      target: [userPreferences.guildId, userPreferences.discordUserId],
      set: {
        notifyWhenNext: sql`COALESCE(${change.notifyWhenNext ?? null}::boolean, ${userPreferences.notifyWhenNext})`,
        mentionWhenReviewed: sql`COALESCE(${change.mentionWhenReviewed ?? null}::boolean, ${userPreferences.mentionWhenReviewed})`,
        notifyWhenRated: sql`COALESCE(${change.notifyWhenRated ?? null}::boolean, ${userPreferences.notifyWhenRated})`,
      },
    })
    .returning();
  if (!row) throw new Error('preferences upsert returned no row');
  return {
    notifyWhenNext: row.notifyWhenNext,
    mentionWhenReviewed: row.mentionWhenReviewed,
    notifyWhenRated: row.notifyWhenRated,
  };
}

/** A reviewer takes the next song; the take is in the audit log with the tier it was served from. */
export async function takeNextForReview(
  db: Queryable,
  guildId: string,
  reviewerId: string,
): Promise<(SubmissionRecord & { servedFrom: Tier }) | null> {
  return db.transaction(async (tx) => {
    const taken = await takeNextSubmission(tx, guildId, reviewerId);
    if (taken) {
      await recordAudit(tx, {
        guildId,
        actorId: reviewerId,
        action: 'take',
        targetUserId: taken.submitterId,
        submissionId: taken.id,
        details: { from: taken.servedFrom },
      });
    }
    return taken;
  });
}

/**
 * Remove pressed on a "Now reviewing" post: a song just played that should not have been (a troll,
 * a dead link) leaves the history as Removed, so it can't be submitted again from history. It goes
 * through Restore then Remove so the queue's transition rules still decide; an open song is removed
 * directly.
 */
export async function removeFromReview(
  db: Queryable,
  guildId: string,
  id: number,
  actorId: string,
): Promise<SubmissionRecord> {
  return db.transaction(async (tx) => {
    const current = await lockSubmission(tx, guildId, id);
    if (current.tier === 'played') await restoreSubmission(tx, guildId, id, actorId);
    return (await removeSubmission(tx, guildId, id, actorId)).submission;
  });
}
