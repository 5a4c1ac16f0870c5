import { SERVING_TIERS, TIER_LABELS } from '../domain/tiers.js';
import type { Queryable } from '../storage/connect.js';
import { songUnderReview } from '../storage/overlay-repo.js';
import type { SubmissionRecord } from '../storage/submission-record.js';
import { listQueue } from '../storage/submissions-repo.js';

/** What a page shows, sent as JSON over its event stream; the page writes every string as text. */
export interface QueueView {
  nowReviewing: { artist: string; title: string } | null;
  upNext: { artist: string; title: string; tier: string }[];
}

export interface PlayerView {
  current: {
    id: number;
    artist: string;
    title: string;
    note: string | null;
    /** https links only: the page makes them clickable. */
    link: string | null;
    /** An uploaded file: the page plays it from its audio route. */
    hasAudio: boolean;
  } | null;
  upNext: QueueView['upNext'];
}

/** How many songs the overlay lists after the current one (`?n=`), and the most it will. */
export const DEFAULT_UP_NEXT = 5;
export const MAX_UP_NEXT = 20;

export function upNextCount(param: string | null): number {
  const n = Number.parseInt(param ?? '', 10);
  return Number.isNaN(n) ? DEFAULT_UP_NEXT : Math.min(Math.max(n, 1), MAX_UP_NEXT);
}

export async function queueView(db: Queryable, guildId: string, upNext: number): Promise<QueueView> {
  const [current, next] = await Promise.all([songUnderReview(db, guildId), upNextSongs(db, guildId, upNext)]);
  return { nowReviewing: current && { artist: current.artist, title: current.title }, upNext: next };
}

export async function playerView(db: Queryable, guildId: string): Promise<PlayerView> {
  const [current, next] = await Promise.all([
    songUnderReview(db, guildId),
    upNextSongs(db, guildId, DEFAULT_UP_NEXT),
  ]);
  return {
    current: current && {
      id: current.id,
      artist: current.artist,
      title: current.title,
      note: current.note,
      link: current.link && /^https:\/\//i.test(current.link) ? current.link : null,
      hasAudio: current.filePath !== null,
    },
    upNext: next,
  };
}

async function upNextSongs(db: Queryable, guildId: string, count: number): Promise<QueueView['upNext']> {
  const { entries } = await listQueue(db, guildId, { tiers: SERVING_TIERS, limit: count });
  return entries.map((s) => ({ artist: s.artist, title: s.title, tier: tierLabel(s) }));
}

/** A 25+ skip shows what was paid, as the Now reviewing post does. */
function tierLabel(song: SubmissionRecord): string {
  return song.tier === 'skip25' ? `${TIER_LABELS.skip25} (${song.skipAmount})` : TIER_LABELS[song.tier];
}
