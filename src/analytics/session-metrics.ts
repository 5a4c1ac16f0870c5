import type { SkipTier } from '../domain/tiers.js';
import type { LiveSession } from '../storage/live-sessions-repo.js';

/*
 * The plain data of a live session's analytics: what storage reads and what the chart, CSV and JSON
 * builders render. No driver or Discord types, so renderers are tested over literals.
 */
export type { LiveSession };

/** Which session: its id, or the one that started last. */
export type SessionRef = number | 'latest';

/** `latest` or a session id as typed by an admin; null when it is neither. */
export function parseSessionRef(text: string): SessionRef | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'latest') return 'latest';
  if (!/^\d{1,15}$/.test(trimmed)) return null;
  const id = Number(trimmed);
  return id > 0 ? id : null;
}

/** A viewer ranked in the summary (top gifters, top engaged, top watchers). */
export interface RankedViewer {
  tiktokUserId: string;
  handle: string;
  /** TikTok coins gifted (top gifters), engagement points earned (top engaged) or minutes watched. */
  value: number;
}

/** Luxury Coins earned during a live, with where they came from. */
export interface CoinsAwarded {
  total: number;
  /**
   * From gifts and from watch time. Null for a live recorded before ingestion kept them apart
   * (migration 0006): only its total is known.
   */
  gifts: number | null;
  watchTime: number | null;
}

/** How a skip came to be: a reviewer confirming a paid skip, a big gift, or Luxury Coins spent. */
export type SkipSource = 'confirmed' | 'gift' | 'coins';

export interface SkipCount {
  tier: SkipTier;
  source: SkipSource;
  count: number;
}

export interface SessionSummary {
  session: LiveSession;
  /** Until the end, or until the moment of the query for a live session. */
  durationSeconds: number;
  /** Null when TikTok sent no viewer count during the session. */
  peakViewers: number | null;
  /** Mean of the viewer counts TikTok reported (it sends them every few seconds). */
  averageViewers: number | null;
  /** Distinct TikTok users with at least one interaction. */
  uniqueViewers: number;
  likes: number;
  comments: number;
  joins: number;
  shares: number;
  follows: number;
  /** Gifts sent: a streak of ten roses is ten. */
  gifts: number;
  /** TikTok coins (diamonds) the gifts were worth. */
  giftTikTokCoins: number;
  coinsAwarded: CoinsAwarded;
  /** Engagement points earned by every interaction of the session. */
  pointsAwarded: number;
  topGifters: RankedViewer[];
  topEngaged: RankedViewer[];
  /** By watch minutes counted during this live. */
  topWatchers: RankedViewer[];
  /** Songs submitted between the start and the end of the session. */
  submissionsReceived: number;
  /** Songs played (reviewed) between the start and the end of the session. */
  submissionsReviewed: number;
  skips: SkipCount[];
}

/** One viewer's interactions in one session, added up. */
export interface ViewerTotals {
  tiktokUserId: string;
  handle: string;
  likes: number;
  comments: number;
  joins: number;
  shares: number;
  follows: number;
  gifts: number;
  tiktokCoins: number;
  points: number;
  /** Watch minutes counted during this live (a viewer who only watched has a row too). */
  watchMinutes: number;
}

/** One minute of the session; every minute from the start to the end is present. */
export interface TimelineMinute {
  minute: Date;
  /** Highest viewer count reported in the minute; null when none was. */
  viewers: number | null;
  likes: number;
  /** Gifts sent in the minute (a streak counts whole in the minute it started). */
  gifts: number;
  giftTikTokCoins: number;
}

export interface SessionListEntry {
  session: LiveSession;
  peakViewers: number | null;
  likes: number;
  giftTikTokCoins: number;
}
