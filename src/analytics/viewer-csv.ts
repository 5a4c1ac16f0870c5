import { stringify } from 'csv-stringify/sync';
import type { ViewerTotals } from './session-metrics.js';

/** Column names of the per-viewer CSV, in order; the header row spells them the same way. */
export const VIEWER_CSV_COLUMNS = [
  'tiktok_user_id',
  'handle',
  'likes',
  'comments',
  'joins',
  'shares',
  'follows',
  'gifts',
  'tiktok_coins',
  'points',
  'watch_minutes',
] as const;

/**
 * Spreadsheets run a cell starting with = + - @ (or a tab or carriage return, which some strip
 * first) as a formula, and handles and ids come from TikTok users. Such text gets a leading
 * apostrophe, the OWASP mitigation: shown as text, never evaluated. Numbers are ours and left alone.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function toRecord(v: ViewerTotals): (string | number)[] {
  return [
    neutraliseFormula(v.tiktokUserId),
    neutraliseFormula(v.handle),
    v.likes,
    v.comments,
    v.joins,
    v.shares,
    v.follows,
    v.gifts,
    v.tiktokCoins,
    v.points,
    v.watchMinutes,
  ];
}

/** The CSV's header row. */
export function viewerCsvHeader(): string {
  return stringify([[...VIEWER_CSV_COLUMNS]]);
}

/** CSV rows for some viewers (quoting per RFC 4180); concatenated after the header they make the file. */
export function viewerCsvRows(viewers: readonly ViewerTotals[]): string {
  return stringify(viewers.map(toRecord));
}
