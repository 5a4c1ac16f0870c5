import { z } from 'zod';
import { UserFacingError } from '../../domain/errors.js';
import { formatScore, MAX_VERDICT_LENGTH, parseScore, parseVerdict } from '../../domain/ratings.js';
import { OPEN_TIERS, TIER_LABELS, TIERS } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import {
  confirmPendingSkip,
  moveSong,
  rateSongUnderReview,
  rejectPendingSkip,
  removeSong,
  removeSongUnderReview,
  restoreSong,
  takeNextSong,
  type Reviewer,
} from '../review/reviewer-actions.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** The tier the page showed the song in: a song moved since is refused (a `stale` error). */
const shownIn = z.enum(TIERS);

/** What the studio's buttons send: one action on one song, as the page showed it. */
export const studioActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('next') }),
  z.object({ action: z.literal('remove'), id, shownIn }),
  z.object({ action: z.literal('restore'), id, shownIn }),
  z.object({ action: z.literal('move'), id, shownIn, to: z.enum(OPEN_TIERS as [string, ...string[]]) }),
  z.object({ action: z.literal('confirm-skip'), id, shownIn }),
  z.object({ action: z.literal('reject-skip'), id, shownIn }),
  z.object({
    action: z.literal('rate'),
    id,
    score: z.string().max(10),
    verdict: z
      .string()
      .max(MAX_VERDICT_LENGTH * 2)
      .optional(),
    correcting: z.boolean().optional(),
  }),
]);

export type StudioAction = z.infer<typeof studioActionSchema>;

const songName = (s: SubmissionRecord) => `${s.artist} – ${s.title}`;

/**
 * Runs one action through the same code as its slash command and says what it did, in the words the
 * slash command's reply uses (plain text: the page shows it as text, nothing is mentioned).
 */
export async function runStudioAction(
  ctx: BotContext,
  reviewer: Reviewer & { channelId: string },
  action: StudioAction,
): Promise<string> {
  switch (action.action) {
    case 'next': {
      const taken = await takeNextSong(ctx, reviewer, reviewer.channelId);
      if (!taken) {
        throw new UserFacingError(
          'not_found',
          'The queue is empty: there is no song to review. Songs in Pending Skips need confirming first.',
        );
      }
      const posted = taken.post ? '' : ' (the Now reviewing post could not be sent to its channel)';
      return `Now reviewing ${songName(taken.song)}${posted}.`;
    }
    case 'remove': {
      if (action.shownIn === 'played') {
        const removed = await removeSongUnderReview(ctx, reviewer, action.id);
        return `Removed ${songName(removed)}.`;
      }
      const { submission, creditTier } = await removeSong(ctx, reviewer, action.id, {
        expectedTier: action.shownIn,
      });
      const credit = creditTier ? ` Its sender keeps a ${TIER_LABELS[creditTier]} credit.` : '';
      return `Removed ${songName(submission)}.${credit}`;
    }
    case 'restore': {
      const restored = await restoreSong(ctx, reviewer, action.id, action.shownIn);
      return `Put ${songName(restored)} back in ${TIER_LABELS.free}.`;
    }
    case 'move': {
      const to = action.to as (typeof OPEN_TIERS)[number];
      const moved = await moveSong(ctx, reviewer, action.id, to, action.shownIn);
      return `Moved ${songName(moved)} to ${TIER_LABELS[moved.tier]}.`;
    }
    case 'confirm-skip': {
      const confirmed = await confirmPendingSkip(ctx, reviewer, action.id, action.shownIn);
      return `Confirmed: ${songName(confirmed)} is now in ${TIER_LABELS[confirmed.tier]}.`;
    }
    case 'reject-skip': {
      const rejected = await rejectPendingSkip(ctx, reviewer, action.id, { expectedTier: action.shownIn });
      return `Rejected the skip: ${songName(rejected)} is back in ${TIER_LABELS.free}.`;
    }
    case 'rate': {
      const { song, rating, previousTenths } = await rateSongUnderReview(ctx, reviewer, {
        submissionId: action.id,
        scoreTenths: parseScore(action.score),
        verdict: parseVerdict(action.verdict ?? null),
        correcting: action.correcting ?? false,
      });
      const score = `${formatScore(rating.scoreTenths)}/10`;
      return previousTenths === null
        ? `Rated ${songName(song)}: ${score}.`
        : `Corrected the rating of ${songName(song)}: ${formatScore(previousTenths)}/10 → ${score}.`;
    }
  }
}
