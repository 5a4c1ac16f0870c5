import { describe, expect, it } from 'vitest';
import { decideRating, formatScore, parseScore, parseVerdict } from '../../src/domain/ratings.js';
import { catchUserError } from './catch-user-error.js';

describe('a score as typed', () => {
  it.each([
    ['8.5', 85],
    ['8,5', 85],
    ['10', 100],
    ['0', 0],
    [' 7 ', 70],
    ['10.0', 100],
  ])('%j is %i tenths', (text, tenths) => {
    expect(parseScore(text)).toBe(tenths);
  });

  it.each(['10.1', '11', '-1', 'eight', '', '8.', '.5', '1e1', '8 .5'])(
    '%j is refused in plain words',
    (text) => {
      const error = catchUserError(() => parseScore(text));
      expect(error.code).toBe('invalid_score');
      expect(error.message).toMatch(/^A score (is a number from 0 to 10|goes up to 10)/);
    },
  );

  it('more than one decimal is refused with that reason', () => {
    expect(catchUserError(() => parseScore('7.25')).message).toBe(
      'A score has at most one decimal, like 7.5 or 8.',
    );
  });

  it('is shown with its decimal only when it has one', () => {
    expect([formatScore(85), formatScore(100), formatScore(0), formatScore(7)]).toEqual([
      '8.5',
      '10',
      '0',
      '0.7',
    ]);
  });
});

describe('a verdict as typed', () => {
  it('is optional: nothing, or only spaces, is no verdict', () => {
    expect(parseVerdict(null)).toBeNull();
    expect(parseVerdict('   ')).toBeNull();
  });

  it('keeps markdown and mentions as typed (views show it as text) but turns line breaks and overrides into spaces', () => {
    expect(parseVerdict(' **great** @everyone <@123>\nsecond line\u202Eevil ')).toBe(
      '**great** @everyone <@123> second line evil',
    );
  });

  it('of 300 characters is kept; of 2,000 is refused, saying how long it is', () => {
    expect(parseVerdict('a'.repeat(300))).toHaveLength(300);
    const error = catchUserError(() => parseVerdict('a'.repeat(2000)));
    expect(error.code).toBe('invalid_text');
    expect(error.message).toMatch(/at most 300 characters; yours has 2000/);
  });
});

describe('whether a rating is allowed', () => {
  const underReview = { id: 4, underReview: true, currentScoreTenths: null };

  it('the song under review, not yet rated, is rated', () => {
    expect(decideRating(underReview, false)).toBe('rate');
  });

  it('a song not under review is refused, saying which one can be', () => {
    const error = catchUserError(() => decideRating({ ...underReview, underReview: false }, false));
    expect(error.message).toMatch(/Song id 4 is not under review.*latest \/next/);
  });

  it('a song already rated is refused, showing its score and the way to correct it', () => {
    const error = catchUserError(() => decideRating({ ...underReview, currentScoreTenths: 85 }, false));
    expect(error.message).toMatch(/already rated 8\.5\/10.*correct:True/);
  });

  it('a correction needs a rating to correct, and then may reach an earlier song', () => {
    expect(catchUserError(() => decideRating(underReview, true)).message).toMatch(
      /no rating to correct\. Rate it first/,
    );
    expect(decideRating({ id: 2, underReview: false, currentScoreTenths: 60 }, true)).toBe('correct');
  });
});
