import { UserFacingError } from './errors.js';

/**
 * A review's score: 0 to 10 with one decimal, kept as a whole number of tenths (85 = 8.5) so sums,
 * averages and comparisons never meet a binary fraction.
 */
export const MAX_SCORE_TENTHS = 100;
/** A verdict is a line or two under the score, not an essay: the modal and the option stop here too. */
export const MAX_VERDICT_LENGTH = 300;

const SCORE_TEXT = /^(\d{1,2})(?:[.,](\d))?$/;

/**
 * A score as a reviewer types it: "8.5", "8,5" (a decimal comma, common in Europe), "10", "7".
 * Returns tenths. Anything else (more than one decimal, below 0, above 10, words) is refused in
 * plain words.
 */
export function parseScore(input: string): number {
  const text = input.trim();
  const match = SCORE_TEXT.exec(text);
  if (!match) {
    throw new UserFacingError(
      'invalid_score',
      /^\d+[.,]\d{2,}$/.test(text)
        ? 'A score has at most one decimal, like 7.5 or 8.'
        : 'A score is a number from 0 to 10, like 7.5 or 8.',
    );
  }
  const tenths = Number(match[1]) * 10 + Number(match[2] ?? 0);
  if (tenths > MAX_SCORE_TENTHS) throw new UserFacingError('invalid_score', 'A score goes up to 10.');
  return tenths;
}

/** "8.5", "10", "7": the decimal only when there is one. */
export function formatScore(tenths: number): string {
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
}

/**
 * An optional verdict: trimmed, control and direction-override characters become spaces (they would
 * reorder or break the line it is shown in), empty means none. Markdown and mentions are kept as
 * typed: every view shows the verdict as text, so they cannot format or ping.
 */
export function parseVerdict(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null;
  const clean = input
    .replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (clean === '') return null;
  if ([...clean].length > MAX_VERDICT_LENGTH) {
    throw new UserFacingError(
      'invalid_text',
      `A verdict is at most ${MAX_VERDICT_LENGTH} characters; yours has ${[...clean].length}. Shorten it and rate again.`,
    );
  }
  return clean;
}

/** The song a rating is asked for, as storage found it. */
export interface RatedSong {
  id: number;
  /** The song the server's latest /next took, and still played. */
  underReview: boolean;
  /** The song's rating from its current play, if it has one (a rating of an undone take does not count). */
  currentScoreTenths: number | null;
}

/**
 * A first rating is for the song under review only, once; changing it afterwards is a correction,
 * asked for on purpose, so a second reviewer pressing Rate cannot silently overwrite the first.
 * A correction may reach any song rated in its current play, including earlier ones.
 */
export function decideRating(song: RatedSong, correcting: boolean): 'rate' | 'correct' {
  if (correcting) {
    if (song.currentScoreTenths === null) {
      throw new UserFacingError(
        'illegal_move',
        `Song id ${song.id} has no rating to correct. ${song.underReview ? 'Rate it first.' : 'Only the song under review can be rated.'}`,
      );
    }
    return 'correct';
  }
  if (song.currentScoreTenths !== null) {
    throw new UserFacingError(
      'illegal_move',
      `Song id ${song.id} is already rated ${formatScore(song.currentScoreTenths)}/10. To change it, use /rate with correct:True (or Correct the rating on its post).`,
    );
  }
  if (!song.underReview) {
    throw new UserFacingError(
      'illegal_move',
      `Song id ${song.id} is not under review, so it can't be rated. Only the song taken with the latest /next can be.`,
    );
  }
  return 'rate';
}
