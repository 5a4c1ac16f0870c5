import { UserFacingError } from './errors.js';
import { assertTransition } from './transitions.js';
import { TIER_LABELS, type Tier } from './tiers.js';

/**
 * What a take changed, as recorded at the moment of the take: the tier and score the song was
 * served with, and the points the take reset to zero on its submitter. The record also keeps the
 * song's `tier_since` (its order among equals in a skip tier), which storage copies back as stored.
 */
export interface TakeRecord {
  submissionId: number;
  takenAt: Date;
  servedFrom: Tier;
  /** The score the song was ranked by in Free (its skip tiers ignore it). */
  servedScore: number;
  discordPoints: number;
  tiktokUserId: string | null;
  tiktokPoints: number;
  undoneAt: Date | null;
}

/**
 * What undoing a take puts back: the tier, with the ordering keys of the record (storage copies
 * `served_since` as stored, to the microsecond), and the points, added to what the submitter has
 * earned since.
 */
export interface TakeUndo {
  tier: Tier;
  score: number;
  discordPoints: number;
  tiktok: { userId: string; points: number } | null;
}

/**
 * Undo of a mistaken take: allowed within `windowMinutes` of it, once, and only while the song is
 * still where the take left it (played by that take). Otherwise the reviewer is told why, and that
 * /restore still puts the song back in Free.
 */
export function decideTakeUndo(
  take: TakeRecord,
  song: { tier: Tier; playedAt: Date | null },
  now: Date,
  windowMinutes: number,
): TakeUndo {
  const restoreHint = `/restore id ${take.submissionId} still puts it back in ${TIER_LABELS.free}.`;
  if (take.undoneAt) {
    throw new UserFacingError(
      'illegal_move',
      `The review of song id ${take.submissionId} was already undone.`,
    );
  }
  if (song.tier !== 'played' || song.playedAt?.getTime() !== take.takenAt.getTime()) {
    throw new UserFacingError(
      'illegal_move',
      `Song id ${take.submissionId} has changed since it was taken (it is in ${TIER_LABELS[song.tier]}), so its review can't be undone.`,
    );
  }
  if (now.getTime() - take.takenAt.getTime() > windowMinutes * 60_000) {
    throw new UserFacingError(
      'illegal_move',
      windowMinutes === 0
        ? `Undoing a review is turned off in this server. ${restoreHint}`
        : `A review can only be undone within ${windowMinutes} ${windowMinutes === 1 ? 'minute' : 'minutes'} of taking the song. ${restoreHint}`,
    );
  }
  assertTransition('undoTake', song.tier, take.servedFrom);
  return {
    tier: take.servedFrom,
    score: take.servedScore,
    discordPoints: take.discordPoints,
    tiktok: take.tiktokUserId ? { userId: take.tiktokUserId, points: take.tiktokPoints } : null,
  };
}
