import { formatScore } from '../domain/ratings.js';
import { SERVING_TIERS, TIER_LABELS, type Tier } from '../domain/tiers.js';
import type { Queryable } from '../storage/connect.js';
import { songUnderReview } from '../storage/overlay-repo.js';
import { currentRatings } from '../storage/review-history-repo.js';
import type { SubmissionRecord } from '../storage/submission-record.js';
import { listQueue } from '../storage/submissions-repo.js';
import { cut, tierLabel, type SubmitterName } from './page-views.js';

/** A song as the studio lists it: with its id and tier, which the studio's actions send back. */
export interface StudioSong {
  id: number;
  artist: string;
  title: string;
  submitter: string;
  tier: Tier;
  /** "10 Skip", "25+ Skip (30)", "Pending Skips (asks 10)". */
  tierLabel: string;
}

/** What every reviewer's studio shows, sent as JSON over its event stream and written as text. */
export interface StudioView {
  current:
    | (StudioSong & {
        note: string | null;
        /** https links only: the page makes them clickable. */
        link: string | null;
        /** An uploaded file: the page plays it from its audio route. */
        hasAudio: boolean;
        rating: { score: string; verdict: string | null } | null;
      })
    | null;
  /** Waiting songs in serving order, then Pending Skips. */
  queue: StudioSong[];
  /** Waiting songs in all: the queue lists the first STUDIO_QUEUE_LENGTH in line, then Pending Skips. */
  waiting: number;
  /** Songs played or removed lately, for Restore. */
  history: StudioSong[];
}

/**
 * The studio lists this many songs of each kind, with texts cut as on the public page: its first load
 * stays within 100 KB when every name is 200 four-byte emoji. The rest are counted in `waiting`.
 */
export const STUDIO_QUEUE_LENGTH = 40;
const STUDIO_PENDING_LENGTH = 20;
const STUDIO_HISTORY_LENGTH = 10;

export async function studioView(db: Queryable, guildId: string, nameOf: SubmitterName): Promise<StudioView> {
  const [current, serving, pending, history] = await Promise.all([
    songUnderReview(db, guildId),
    listQueue(db, guildId, { tiers: SERVING_TIERS, limit: STUDIO_QUEUE_LENGTH }),
    listQueue(db, guildId, { tiers: ['pending'], limit: STUDIO_PENDING_LENGTH }),
    listQueue(db, guildId, { tiers: ['played', 'removed'], limit: STUDIO_HISTORY_LENGTH + 1 }),
  ]);
  const ratings = await currentRatings(db, guildId, current ? [current.id] : []);
  const shown = (song: SubmissionRecord): StudioSong => ({
    id: song.id,
    artist: cut(song.artist),
    title: cut(song.title),
    submitter: cut(nameOf(guildId, song.submitterId)),
    tier: song.tier,
    tierLabel: studioTierLabel(song),
  });
  const rating = current ? ratings.get(current.id) : undefined;
  return {
    current: current && {
      ...shown(current),
      note: current.note,
      link: current.link && /^https:\/\//i.test(current.link) ? current.link : null,
      hasAudio: current.filePath !== null,
      rating: rating ? { score: `${formatScore(rating.scoreTenths)}/10`, verdict: rating.verdict } : null,
    },
    queue: [...serving.entries, ...pending.entries].map(shown),
    waiting: serving.total + pending.total,
    history: history.entries
      .filter((s) => s.id !== current?.id)
      .slice(0, STUDIO_HISTORY_LENGTH)
      .map(shown),
  };
}

/** As the other pages label tiers, and a pending skip with the amount it asks for. */
function studioTierLabel(song: SubmissionRecord): string {
  return song.tier === 'pending' && song.requestedSkipAmount !== null
    ? `${TIER_LABELS.pending} (asks ${song.requestedSkipAmount})`
    : tierLabel(song);
}
