import { sql } from 'drizzle-orm';
import type { Tier } from '../domain/tiers.js';
import { toDate, toDateOrNull } from './rows.js';

/** A submission as the rest of the app sees it. */
export interface SubmissionRecord {
  id: number;
  guildId: string;
  submitterId: string;
  artist: string;
  title: string;
  link: string | null;
  platform: string | null;
  filePath: string | null;
  fileName: string | null;
  note: string | null;
  source: string;
  resubmittedFrom: number | null;
  tier: Tier;
  skipAmount: number;
  requestedSkipAmount: number | null;
  /**
   * Read in queue order (listing, places in line, next), a Free song's live score from
   * `free_order`; otherwise the score it entered Free with, or was served at.
   */
  score: number;
  submittedAt: Date;
  tierSince: Date;
  playedAt: Date | null;
  playedBy: string | null;
  removedAt: Date | null;
  removedBy: string | null;
  removeReason: string | null;
}

/** Columns selected by every raw submission query, in the order `toSubmission` reads them. */
export const SUBMISSION_COLUMNS = `id, guild_id, submitter_id, artist, title, link, platform, file_path, file_name,
  note, source, resubmitted_from, tier, skip_amount, requested_skip_amount, score, submitted_at, tier_since,
  played_at, played_by, removed_at, removed_by, remove_reason`;

export const SUBMISSION_COLS = sql.raw(SUBMISSION_COLUMNS);
/**
 * Mirrors compareQueueEntries in src/domain/ordering.ts and the submissions_serving index, for every
 * tier but Free: Free's live order is in `free_order` (see free-order.ts).
 */
export const QUEUE_ORDER = sql.raw('tier_rank, priority DESC, order_time, id');

export type RawRow = Record<string, unknown>;

export function toSubmission(row: RawRow): SubmissionRecord {
  return {
    id: Number(row.id),
    guildId: String(row.guild_id),
    submitterId: String(row.submitter_id),
    artist: String(row.artist),
    title: String(row.title),
    link: (row.link as string | null) ?? null,
    platform: (row.platform as string | null) ?? null,
    filePath: (row.file_path as string | null) ?? null,
    fileName: (row.file_name as string | null) ?? null,
    note: (row.note as string | null) ?? null,
    source: String(row.source),
    resubmittedFrom: row.resubmitted_from === null ? null : Number(row.resubmitted_from),
    tier: row.tier as Tier,
    skipAmount: Number(row.skip_amount),
    requestedSkipAmount: row.requested_skip_amount === null ? null : Number(row.requested_skip_amount),
    score: Number(row.score),
    submittedAt: toDate(row.submitted_at),
    tierSince: toDate(row.tier_since),
    playedAt: toDateOrNull(row.played_at),
    playedBy: (row.played_by as string | null) ?? null,
    removedAt: toDateOrNull(row.removed_at),
    removedBy: (row.removed_by as string | null) ?? null,
    removeReason: (row.remove_reason as string | null) ?? null,
  };
}
