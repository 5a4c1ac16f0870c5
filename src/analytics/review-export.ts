import { stringify } from 'csv-stringify/sync';
import { formatScore } from '../domain/ratings.js';
import type { ReviewEntry } from '../storage/review-history-repo.js';
import { neutraliseFormula } from './viewer-csv.js';

/** Column names of the reviews CSV, in order; the header row spells them the same way. */
export const REVIEW_CSV_COLUMNS = [
  'rated_at',
  'song_id',
  'artist',
  'title',
  'submitter_discord_id',
  'reviewer_discord_id',
  'score',
  'verdict',
] as const;

/** A review in the session's JSON: the score as a number with one decimal (8.5), the time in ISO. */
export function reviewJson(entry: ReviewEntry) {
  return {
    ratedAt: entry.ratedAt.toISOString(),
    songId: entry.submissionId,
    artist: entry.artist,
    title: entry.title,
    submitterId: entry.submitterId,
    reviewerId: entry.reviewerId,
    score: Number(formatScore(entry.scoreTenths)),
    verdict: entry.verdict,
  };
}

/**
 * The reviews CSV of a session, whole (a live rates tens of songs, not thousands). Artist, title and
 * verdict are typed by members: a leading = + - @ is neutralised like the viewer CSV's handles.
 */
export function reviewCsv(entries: readonly ReviewEntry[]): string {
  return stringify([
    [...REVIEW_CSV_COLUMNS],
    ...entries.map((e) => [
      e.ratedAt.toISOString(),
      e.submissionId,
      neutraliseFormula(e.artist),
      neutraliseFormula(e.title),
      e.submitterId,
      e.reviewerId,
      formatScore(e.scoreTenths),
      neutraliseFormula(e.verdict ?? ''),
    ]),
  ]);
}
