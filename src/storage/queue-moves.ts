import { sql, type SQL } from 'drizzle-orm';
import { UserFacingError } from '../domain/errors.js';
import type { GuildSettings } from '../domain/guild-settings.js';
import { creditForRemoval, isUpgrade, SKIP_TIER_AMOUNT, skipAmountToTier } from '../domain/skips.js';
import { assertTransition } from '../domain/transitions.js';
import { isSkipTier, TIER_LABELS, type SkipTier, type Tier } from '../domain/tiers.js';
import { recordAudit } from './audit-repo.js';
import { preparedRowsOf, rowsOf, type Queryable } from './connect.js';
import { FREE_ORDER, FREE_SUBMISSION_COLS, liveFree } from './free-order.js';
import { OPEN, SKIP_SERVING } from './sql-rules.js';
import {
  QUEUE_ORDER,
  SUBMISSION_COLS as cols,
  toSubmission,
  type RawRow,
  type SubmissionRecord,
} from './submission-record.js';
import { freeOrderGate } from './score-sync.js';
import { lockSubmission, scoreExpression, submitSong } from './submissions-repo.js';

/** How often a take that found nothing it could take waits for what held it and looks again. */
const HELD_HEAD_WAITS = 3;

/**
 * Takes the next song in one statement: picks the head of the serving tiers (skipping rows another
 * reviewer holds), marks it played, and resets its submitter's engagement points so Free rotates.
 * `servedFrom` is the tier it was played from (the row itself now says Songs Played). `played_at` is
 * the moment of the take, not of the transaction, so the history shows the order songs were served.
 *
 * The take also records what it changed (take_records: the tier and ordering keys, the points it
 * reset), so a mistaken take can be undone (take-undo.ts).
 *
 * A take does not run while the guild's score sync is rewriting Free (`freeOrderGate`): it would
 * skip the rows the sync already holds and serve a lower song. It waits for the sync's transaction
 * and then takes the head of the new order. When every serving row is held, the queue is not empty
 * either: other reviewers are taking songs (for a few milliseconds). The take then waits for the
 * head's holder and looks again, instead of answering that there is nothing to review.
 */
export async function takeNextSubmission(
  db: Queryable,
  guildId: string,
  reviewerId: string,
): Promise<(SubmissionRecord & { servedFrom: Tier }) | null> {
  for (let waits = 0; ; waits++) {
    const taken = await takeUnheldHead(db, guildId, reviewerId);
    if (taken || waits === HELD_HEAD_WAITS) return taken;
    // Waits for a sync, and for the head's holder; then skips rows it took. Nothing left means the
    // queue is really empty.
    await db.execute(sql`SELECT pg_advisory_xact_lock_shared(${freeOrderGate(guildId)})`);
    const [head] = await rowsOf<RawRow>(db, servingHead(guildId, 'wait for its holder'));
    if (!head) return null;
  }
}

async function takeUnheldHead(
  db: Queryable,
  guildId: string,
  reviewerId: string,
): Promise<(SubmissionRecord & { servedFrom: Tier }) | null> {
  // Free is looked at only when no skip row can be taken; its entry goes with the take.
  const rows = await preparedRowsOf<RawRow & { served_from: Tier }>(
    db,
    sql`WITH gate AS MATERIALIZED (
          SELECT pg_try_advisory_xact_lock_shared(${freeOrderGate(guildId)}) AS open
        ),
        skip_pick AS MATERIALIZED (
          SELECT id AS picked_id, tier AS served_from, tier_since AS served_since, score AS served_score,
            NULL::tid AS entry FROM submissions
          WHERE guild_id = ${guildId} AND ${SKIP_SERVING} AND (SELECT open FROM gate)
          ORDER BY ${QUEUE_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED
        ),
        free_pick AS MATERIALIZED (
          SELECT s.id AS picked_id, s.tier AS served_from, s.tier_since AS served_since, f.score AS served_score,
            f.ctid AS entry
          FROM ${liveFree(guildId)} AND (SELECT open FROM gate) AND NOT EXISTS (SELECT 1 FROM skip_pick)
          ORDER BY ${FREE_ORDER} LIMIT 1 FOR UPDATE OF s SKIP LOCKED
        ),
        picked AS (SELECT * FROM skip_pick UNION ALL SELECT * FROM free_pick),
        taken AS (
          UPDATE submissions SET tier = 'played', tier_since = clock_timestamp(), played_at = clock_timestamp(),
            played_by = ${reviewerId}, score = picked.served_score
          FROM picked WHERE id = picked.picked_id
          RETURNING ${cols}, picked.served_from, picked.served_since
        ),
        unranked AS (
          DELETE FROM free_order WHERE ctid = (SELECT entry FROM free_pick)
        ),
        reset_discord AS (
          UPDATE user_points SET points = 0, updated_at = now()
          WHERE guild_id = ${guildId} AND discord_user_id IN (SELECT submitter_id FROM taken)
        ),
        reset_tiktok AS (
          UPDATE tiktok_accounts SET points = 0
          WHERE guild_id = ${guildId} AND discord_user_id IN (SELECT submitter_id FROM taken)
        ),
        -- The sub-selects see the points as they were before the resets above (one snapshot).
        recorded AS (
          INSERT INTO take_records AS r (guild_id, submission_id, taken_by, taken_at, served_from, served_since,
            served_score, discord_points, tiktok_user_id, tiktok_points)
          SELECT ${guildId}, t.id, ${reviewerId}, t.played_at, t.served_from, t.served_since, t.score,
            COALESCE((SELECT points FROM user_points WHERE guild_id = ${guildId} AND discord_user_id = t.submitter_id), 0),
            a.tiktok_user_id, COALESCE(a.points, 0)
          FROM taken t
          LEFT JOIN tiktok_accounts a ON a.guild_id = ${guildId} AND a.discord_user_id = t.submitter_id
          ON CONFLICT (guild_id, submission_id) DO UPDATE SET taken_by = EXCLUDED.taken_by,
            taken_at = EXCLUDED.taken_at, served_from = EXCLUDED.served_from, served_since = EXCLUDED.served_since,
            served_score = EXCLUDED.served_score, discord_points = EXCLUDED.discord_points,
            tiktok_user_id = EXCLUDED.tiktok_user_id, tiktok_points = EXCLUDED.tiktok_points,
            channel_id = NULL, message_id = NULL, undone_at = NULL, undone_by = NULL
        )
        SELECT * FROM taken`,
  );
  return rows[0] ? { ...toSubmission(rows[0]), servedFrom: rows[0].served_from } : null;
}

/** The song at the head of the serving tiers, without taking it. */
export async function peekNextSubmission(db: Queryable, guildId: string): Promise<SubmissionRecord | null> {
  const rows = await rowsOf<RawRow>(db, servingHead(guildId, 'read'));
  return rows[0] ? toSubmission(rows[0]) : null;
}

/** The head of the skip tiers, or else of Free; locked (waiting for its holder) if asked. */
function servingHead(guildId: string, mode: 'read' | 'wait for its holder'): SQL {
  const lock = mode === 'read' ? sql`` : sql`FOR UPDATE`;
  return sql`WITH skip_head AS MATERIALIZED (
        SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND ${SKIP_SERVING}
        ORDER BY ${QUEUE_ORDER} LIMIT 1 ${lock}
      ),
      free_head AS MATERIALIZED (
        SELECT ${FREE_SUBMISSION_COLS} FROM ${liveFree(guildId)} AND NOT EXISTS (SELECT 1 FROM skip_head)
        ORDER BY ${FREE_ORDER} LIMIT 1 ${mode === 'read' ? sql`` : sql`FOR UPDATE OF s`}
      )
      SELECT * FROM skip_head UNION ALL SELECT * FROM free_head`;
}

async function setTier(
  tx: Queryable,
  current: SubmissionRecord,
  tier: Tier,
  fields: { skipAmount?: number; requestedSkipAmount?: number | null } = {},
): Promise<SubmissionRecord> {
  const [row] = await rowsOf<RawRow>(
    tx,
    sql`UPDATE submissions SET tier = ${tier}, tier_since = now(),
          -- A song entering Free is ranked by its submitter's score now (free_order_enter).
          score = ${tier === 'free' ? scoreExpression(current.guildId, current.submitterId) : sql`score`},
          skip_amount = COALESCE(${fields.skipAmount ?? null}::integer, skip_amount),
          requested_skip_amount = ${fields.requestedSkipAmount === undefined ? sql`requested_skip_amount` : fields.requestedSkipAmount}
        WHERE id = ${current.id} RETURNING ${cols}`,
  );
  if (!row) throw new Error(`submission ${current.id} vanished inside its transaction`);
  return toSubmission(row);
}

/** A reviewer moves an open submission to another open tier. */
export async function moveSubmission(
  db: Queryable,
  guildId: string,
  id: number,
  to: Tier,
  actorId: string,
  options: { reason?: string | undefined; expectedTier?: Tier | undefined } = {},
): Promise<SubmissionRecord> {
  const { reason } = options;
  return db.transaction(async (tx) => {
    const current = await lockSubmission(tx, guildId, id, options.expectedTier);
    assertTransition('move', current.tier, to);
    const moved = await setTier(tx, current, to, {
      skipAmount: isSkipTier(to) ? SKIP_TIER_AMOUNT[to] : 0,
      requestedSkipAmount: to === 'pending' ? (current.requestedSkipAmount ?? SKIP_TIER_AMOUNT.skip5) : null,
    });
    await recordAudit(tx, {
      guildId,
      actorId,
      action: 'move',
      targetUserId: current.submitterId,
      submissionId: id,
      reason: reason ?? null,
      details: { from: current.tier, to },
    });
    return moved;
  });
}

/**
 * Removes an open submission. A paid skip removed unplayed leaves its submitter a credit for that
 * tier, unless a reviewer removes it without credit (abuse), which needs a reason.
 */
export async function removeSubmission(
  db: Queryable,
  guildId: string,
  id: number,
  actorId: string,
  options: { withoutCredit?: boolean; reason?: string | undefined; expectedTier?: Tier | undefined } = {},
): Promise<{ submission: SubmissionRecord; creditTier: SkipTier | null }> {
  if (options.withoutCredit && !options.reason?.trim()) {
    throw new UserFacingError('invalid_amount', 'Removing without a skip credit needs a reason.');
  }
  return db.transaction(async (tx) => {
    const current = await lockSubmission(tx, guildId, id, options.expectedTier);
    assertTransition('remove', current.tier, 'removed');
    return takeOutOfQueue(tx, current, actorId, 'remove', options);
  });
}

/**
 * The submitter takes their own waiting song out of the queue: the same removal as a reviewer's,
 * credit included, logged as withdrawn by them. Someone else's song answers like an unknown id.
 */
export async function withdrawSubmission(
  db: Queryable,
  guildId: string,
  id: number,
  submitterId: string,
): Promise<{ submission: SubmissionRecord; creditTier: SkipTier | null }> {
  return db.transaction(async (tx) => {
    const [row] = await rowsOf<RawRow>(
      tx,
      sql`SELECT ${cols} FROM submissions
          WHERE guild_id = ${guildId} AND id = ${id} AND submitter_id = ${submitterId} FOR UPDATE`,
    );
    if (!row)
      throw new UserFacingError('not_found', `You have no song with id ${id} in this server's queue.`);
    const current = toSubmission(row);
    assertTransition('withdraw', current.tier, 'removed');
    return takeOutOfQueue(tx, current, submitterId, 'withdraw');
  });
}

/** Moves a locked open submission to Removed, leaving a credit for a paid skip unless told not to. */
async function takeOutOfQueue(
  tx: Queryable,
  current: SubmissionRecord,
  actorId: string,
  action: 'remove' | 'withdraw',
  options: { withoutCredit?: boolean; reason?: string } = {},
): Promise<{ submission: SubmissionRecord; creditTier: SkipTier | null }> {
  const { guildId, id } = current;
  const credit = creditForRemoval(current, { withoutCredit: options.withoutCredit ?? false });
  const [row] = await rowsOf<RawRow>(
    tx,
    sql`UPDATE submissions SET tier = 'removed', tier_since = now(), removed_at = now(), removed_by = ${actorId},
          remove_reason = ${options.reason ?? null}
        WHERE id = ${id} RETURNING ${cols}`,
  );
  if (credit) {
    await tx.execute(
      sql`INSERT INTO skip_credits (guild_id, discord_user_id, tier, skip_amount, from_submission_id)
          VALUES (${guildId}, ${current.submitterId}, ${credit.tier}, ${credit.skipAmount}, ${id})`,
    );
  }
  await recordAudit(tx, {
    guildId,
    actorId,
    action,
    targetUserId: current.submitterId,
    submissionId: id,
    reason: options.reason ?? null,
    details: { from: current.tier, credit: credit?.tier ?? null },
  });
  return { submission: toSubmission(row as RawRow), creditTier: credit?.tier ?? null };
}

/** A reviewer brings a played or removed song back to Free (with its current score). */
export async function restoreSubmission(
  db: Queryable,
  guildId: string,
  id: number,
  actorId: string,
  expectedTier?: Tier,
): Promise<SubmissionRecord> {
  return db.transaction(async (tx) => {
    const current = await lockSubmission(tx, guildId, id, expectedTier);
    assertTransition('restore', current.tier, 'free');
    const [row] = await rowsOf<RawRow>(
      tx,
      sql`UPDATE submissions SET tier = 'free', tier_since = now(), skip_amount = 0, requested_skip_amount = NULL,
            played_at = NULL, played_by = NULL, removed_at = NULL, removed_by = NULL, remove_reason = NULL,
            score = ${scoreExpression(guildId, current.submitterId)}
          WHERE id = ${id} RETURNING ${cols}`,
    );
    await recordAudit(tx, {
      guildId,
      actorId,
      action: 'restore',
      targetUserId: current.submitterId,
      submissionId: id,
      details: { from: current.tier },
    });
    return toSubmission(row as RawRow);
  });
}

/** The submitter asks for a paid skip: their open Free submission waits in Pending Skips. */
export async function requestSkip(
  db: Queryable,
  guildId: string,
  userId: string,
  amount: number,
): Promise<SubmissionRecord> {
  skipAmountToTier(amount);
  return db.transaction(async (tx) => {
    const [open] = await rowsOf<RawRow>(
      tx,
      sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND submitter_id = ${userId} AND tier = 'free'
          ORDER BY submitted_at DESC, id DESC LIMIT 1 FOR UPDATE`,
    );
    if (!open) {
      throw new UserFacingError(
        'no_open_submission',
        'You have no song waiting in Free. Submit one first with /submit.',
      );
    }
    const current = toSubmission(open);
    assertTransition('requestSkip', current.tier, 'pending');
    return setTier(tx, current, 'pending', { requestedSkipAmount: amount });
  });
}

/** A reviewer confirms a pending skip (payment received) into the tier for its amount. */
export async function confirmSkip(
  db: Queryable,
  guildId: string,
  id: number,
  actorId: string,
  expectedTier?: Tier,
): Promise<SubmissionRecord> {
  return db.transaction(async (tx) => {
    const current = await lockSubmission(tx, guildId, id, expectedTier);
    const amount = current.requestedSkipAmount ?? 0;
    const tier = current.tier === 'pending' ? skipAmountToTier(amount) : 'skip5';
    assertTransition('confirmSkip', current.tier, tier);
    const confirmed = await setTier(tx, current, tier, { skipAmount: amount, requestedSkipAmount: null });
    await recordAudit(tx, {
      guildId,
      actorId,
      action: 'confirm_skip',
      targetUserId: current.submitterId,
      submissionId: id,
      details: { amount, tier },
    });
    return confirmed;
  });
}

export async function rejectSkip(
  db: Queryable,
  guildId: string,
  id: number,
  actorId: string,
  options: { reason?: string | undefined; expectedTier?: Tier | undefined } = {},
): Promise<SubmissionRecord> {
  const { reason } = options;
  return db.transaction(async (tx) => {
    const current = await lockSubmission(tx, guildId, id, options.expectedTier);
    assertTransition('rejectSkip', current.tier, 'free');
    const rejected = await setTier(tx, current, 'free', { skipAmount: 0, requestedSkipAmount: null });
    await recordAudit(tx, {
      guildId,
      actorId,
      action: 'reject_skip',
      targetUserId: current.submitterId,
      submissionId: id,
      reason: reason ?? null,
      details: { amount: current.requestedSkipAmount },
    });
    return rejected;
  });
}

/**
 * Upgrades the user's latest open submission to a skip tier for a big gift; never
 * downgrades. Returns null when there is nothing to upgrade.
 */
export function upgradeLatestOpen(
  tx: Queryable,
  guildId: string,
  userId: string,
  to: SkipTier,
  skipAmount: number,
): Promise<{ before: SubmissionRecord; after: SubmissionRecord } | null> {
  return upgradeLatest(tx, guildId, userId, OPEN, to, skipAmount);
}

/**
 * Moves the user's latest open song that has no skip yet (Free or Pending Skips) into a skip tier, for
 * coins spent. A bought skip lifts a waiting song; it never tops up one already skipped, or a 5 Skip
 * would become a 10 Skip for the full price of a skip. Returns null when no such song is open.
 */
export function skipLatestWaiting(
  tx: Queryable,
  guildId: string,
  userId: string,
  to: SkipTier,
  skipAmount: number,
): Promise<{ before: SubmissionRecord; after: SubmissionRecord } | null> {
  return upgradeLatest(tx, guildId, userId, sql`tier IN ('free', 'pending')`, to, skipAmount);
}

/** The user's latest submission matching `among`, moved up to `to` (never down), under a row lock. */
async function upgradeLatest(
  tx: Queryable,
  guildId: string,
  userId: string,
  among: SQL,
  to: SkipTier,
  skipAmount: number,
): Promise<{ before: SubmissionRecord; after: SubmissionRecord } | null> {
  const [latest] = await rowsOf<RawRow>(
    tx,
    sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND submitter_id = ${userId} AND ${among}
        ORDER BY submitted_at DESC, id DESC LIMIT 1 FOR UPDATE`,
  );
  if (!latest) return null;
  const before = toSubmission(latest);
  if (!isUpgrade(before.tier, to)) return null;
  assertTransition('upgrade', before.tier, to);
  const after = await setTier(tx, before, to, { skipAmount, requestedSkipAmount: null });
  return { before, after };
}

/** Queues a played song of the user's again, under the normal submission rules. */
export async function resubmitFromHistory(
  db: Queryable,
  guildId: string,
  userId: string,
  fromId: number,
  settings: GuildSettings,
): Promise<SubmissionRecord> {
  const [old] = await rowsOf<RawRow>(
    db,
    sql`SELECT ${cols} FROM submissions WHERE guild_id = ${guildId} AND id = ${fromId} AND submitter_id = ${userId}`,
  );
  if (!old) throw new UserFacingError('not_found', `You have no song #${fromId} in this server's history.`);
  const previous = toSubmission(old);
  if (previous.tier !== 'played') {
    throw new UserFacingError(
      'illegal_move',
      `Song #${fromId} is in ${TIER_LABELS[previous.tier]}; only played songs can be submitted again.`,
    );
  }
  const { submission } = await submitSong(
    db,
    {
      guildId,
      submitterId: userId,
      artist: previous.artist,
      title: previous.title,
      link: previous.link ? { url: previous.link, platform: previous.platform ?? 'unknown' } : undefined,
      file: previous.filePath ? { path: previous.filePath, name: previous.fileName ?? 'audio' } : undefined,
      note: previous.note ?? undefined,
      source: 'resubmit',
      resubmittedFrom: previous.id,
    },
    settings,
  );
  return submission;
}
