import type { Client } from 'discord.js';
import { SERVING_TIERS, TIER_LABELS } from '../domain/tiers.js';
import type { Queryable } from '../storage/connect.js';
import { songUnderReview } from '../storage/overlay-repo.js';
import type { SubmissionRecord } from '../storage/submission-record.js';
import { listQueue } from '../storage/submissions-repo.js';
import { formatScore } from '../domain/ratings.js';
import { currentRatings, latestReview } from '../storage/review-history-repo.js';

/** What a page shows, sent as JSON over its event stream; the page writes every string as text. */
export interface QueueView {
  nowReviewing: { artist: string; title: string } | null;
  upNext: { artist: string; title: string; tier: string }[];
  /**
   * The newest rating: the overlay reveals it when it changes while the page is open (a rating or a
   * correction), never on first load. `key` tells one rating (and correction) from another.
   */
  lastRating: { key: string; artist: string; title: string; score: string; verdict: string | null } | null;
}

/** A song as the public page shows it: who sent it by display name only, never an id. */
export interface PublicSong {
  artist: string;
  title: string;
  submitter: string;
}

export interface PublicView {
  nowReviewing: PublicSong | null;
  queue: (PublicSong & { place: number; tier: string })[];
  /** Songs waiting in all, of which `queue` lists the first PUBLIC_QUEUE_LENGTH. */
  waiting: number;
  /** With the reviewer's score ("8.5/10") and verdict once the song is rated. */
  recentlyPlayed: (PublicSong & { score: string | null; verdict: string | null })[];
}

/** The submitter's name as the server shows it, looked up in what the bot has cached. */
export type SubmitterName = (guildId: string, userId: string) => string;

/** Server nickname, else Discord display name, else "a viewer": never an id. */
export function submitterNames(client: Client): SubmitterName {
  return (guildId, userId) =>
    client.guilds.cache.get(guildId)?.members.cache.get(userId)?.displayName ??
    client.users.cache.get(userId)?.displayName ??
    'a viewer';
}

/**
 * The public page lists this many songs, and cuts artist, title and name at PUBLIC_TEXT_LENGTH
 * characters (the database holds up to 200, in four-byte emoji if need be):
 * a page a phone opens over mobile data stays small (the first load within 100 KB) whatever is queued.
 */
export const PUBLIC_QUEUE_LENGTH = 50;
export const PUBLIC_RECENTLY_PLAYED = 5;
const PUBLIC_TEXT_LENGTH = 120;

/** How many songs the overlay lists after the current one (`?n=`), and the most it will. */
export const DEFAULT_UP_NEXT = 5;
export const MAX_UP_NEXT = 20;

export function upNextCount(param: string | null): number {
  const n = Number.parseInt(param ?? '', 10);
  return Number.isNaN(n) ? DEFAULT_UP_NEXT : Math.min(Math.max(n, 1), MAX_UP_NEXT);
}

export async function queueView(db: Queryable, guildId: string, upNext: number): Promise<QueueView> {
  const [current, next, last] = await Promise.all([
    songUnderReview(db, guildId),
    upNextSongs(db, guildId, upNext),
    latestReview(db, guildId),
  ]);
  return {
    nowReviewing: current && { artist: current.artist, title: current.title },
    upNext: next,
    lastRating: last
      ? {
          key: `${last.submissionId}:${last.scoreTenths}:${last.verdict ?? ''}`,
          artist: cut(last.artist),
          title: cut(last.title),
          score: `${formatScore(last.scoreTenths)}/10`,
          verdict: last.verdict ? cut(last.verdict) : null,
        }
      : null,
  };
}

async function upNextSongs(db: Queryable, guildId: string, count: number): Promise<QueueView['upNext']> {
  const { entries } = await listQueue(db, guildId, { tiers: SERVING_TIERS, limit: count });
  return entries.map((s) => ({ artist: s.artist, title: s.title, tier: tierLabel(s) }));
}

/** A 25+ skip shows what was paid, as the Now reviewing post does. */
export function tierLabel(song: SubmissionRecord): string {
  return song.tier === 'skip25' ? `${TIER_LABELS.skip25} (${song.skipAmount})` : TIER_LABELS[song.tier];
}

/** What the public queue page shows: only titles, tiers and display names, never ids or notes. */
export async function publicView(db: Queryable, guildId: string, nameOf: SubmitterName): Promise<PublicView> {
  const [current, waiting, played] = await Promise.all([
    songUnderReview(db, guildId),
    listQueue(db, guildId, { tiers: SERVING_TIERS, limit: PUBLIC_QUEUE_LENGTH }),
    listQueue(db, guildId, { tiers: ['played'], limit: PUBLIC_RECENTLY_PLAYED + 1 }),
  ]);
  const recent = played.entries.filter((s) => s.id !== current?.id).slice(0, PUBLIC_RECENTLY_PLAYED);
  const ratings = await currentRatings(
    db,
    guildId,
    recent.map((s) => s.id),
  );
  const shown = (song: SubmissionRecord): PublicSong => ({
    artist: cut(song.artist),
    title: cut(song.title),
    submitter: cut(nameOf(guildId, song.submitterId)),
  });
  return {
    nowReviewing: current && shown(current),
    queue: waiting.entries.map((s) => ({ ...shown(s), place: s.position, tier: tierLabel(s) })),
    waiting: waiting.total,
    recentlyPlayed: recent.map((s) => {
      const rating = ratings.get(s.id);
      return {
        ...shown(s),
        score: rating ? `${formatScore(rating.scoreTenths)}/10` : null,
        verdict: rating?.verdict ? cut(rating.verdict) : null,
      };
    }),
  };
}

/** Cuts by code point, so a cut never splits a surrogate pair into an unprintable half. */
export function cut(text: string): string {
  const chars = [...text];
  return chars.length <= PUBLIC_TEXT_LENGTH ? text : `${chars.slice(0, PUBLIC_TEXT_LENGTH - 1).join('')}…`;
}
