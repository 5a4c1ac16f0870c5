import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POINT_RATES,
  giftPoints,
  pointsFor,
  scoreOf,
  type PointRates,
} from '../../src/domain/points.js';

const rates = DEFAULT_POINT_RATES;

describe('engagement points', () => {
  it('defaults to like 1, comment 2, share 5, follow 10, gifts 2 per coin below 1,000 and 1 from 1,000', () => {
    expect(DEFAULT_POINT_RATES).toEqual({
      like: 1,
      comment: 2,
      share: 5,
      follow: 10,
      giftPerCoinBelow: 2,
      giftPerCoinFrom: 1,
      giftBreakpoint: 1000,
    });
  });

  it('a batch of 15 likes earns 15 points', () => {
    expect(pointsFor('like', 15, rates)).toBe(15);
  });

  it('a comment earns 2 points', () => {
    expect(pointsFor('comment', 1, rates)).toBe(2);
  });

  it('3 shares earn 15 points', () => {
    expect(pointsFor('share', 3, rates)).toBe(15);
  });

  it('a follow earns 10 points', () => {
    expect(pointsFor('follow', 1, rates)).toBe(10);
  });

  it.each(['join', 'viewers'] as const)('%s events earn nothing', (kind) => {
    expect(pointsFor(kind, 250, rates)).toBe(0);
  });

  it('a gift event earns its gift points', () => {
    expect(pointsFor('gift', 1500, rates)).toBe(2499);
  });

  it('follows rates set by an admin', () => {
    const custom: PointRates = { ...rates, like: 3, share: 0 };
    expect(pointsFor('like', 4, custom)).toBe(12);
    expect(pointsFor('share', 4, custom)).toBe(0);
  });
});

describe('gift points', () => {
  it.each([
    [0, 0],
    [1, 2],
    [999, 1998],
    [1000, 1999],
    [1001, 2000],
    [1500, 2499],
    [5000, 5999],
  ])('a gift of %i coins earns %i points', (coins, points) => {
    expect(giftPoints(coins, rates)).toBe(points);
  });

  it('pays 2 points for each coin up to 999 and 1 point for each coin from the 1,000th', () => {
    expect(giftPoints(999, rates) - giftPoints(998, rates)).toBe(2);
    expect(giftPoints(1000, rates) - giftPoints(999, rates)).toBe(1);
  });

  it('with a breakpoint of 1 prices every coin at the upper rate', () => {
    expect(giftPoints(500, { ...rates, giftBreakpoint: 1 })).toBe(500);
  });

  const ratesArb = fc.record({
    like: fc.nat(100),
    comment: fc.nat(100),
    share: fc.nat(100),
    follow: fc.nat(100),
    giftPerCoinBelow: fc.nat(10),
    giftPerCoinFrom: fc.nat(10),
    giftBreakpoint: fc.integer({ min: 1, max: 100_000 }),
  });

  it('never earns fewer points for a larger gift, whatever the rates', () => {
    fc.assert(
      fc.property(ratesArb, fc.nat(1_000_000), fc.nat(1_000_000), (r, coins, extra) => {
        expect(giftPoints(coins + extra, r)).toBeGreaterThanOrEqual(giftPoints(coins, r));
      }),
    );
  });

  it('always earns an integer number of points', () => {
    fc.assert(
      fc.property(ratesArb, fc.nat(1_000_000), (r, coins) => {
        expect(Number.isSafeInteger(giftPoints(coins, r))).toBe(true);
      }),
    );
  });
});

describe('scoreOf', () => {
  it('adds Discord points and the linked TikTok account points', () => {
    expect(scoreOf(120, 30)).toBe(150);
  });
});

describe('points input guards', () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'treats an amount of %d as a programming error',
    (amount) => {
      expect(() => pointsFor('like', amount, rates)).toThrow(RangeError);
      expect(() => giftPoints(amount, rates)).toThrow(RangeError);
      expect(() => scoreOf(amount, 0)).toThrow(RangeError);
      expect(() => scoreOf(0, amount)).toThrow(RangeError);
    },
  );

  it('refuses negative rates', () => {
    expect(() => pointsFor('comment', 1, { ...rates, comment: -2 })).toThrow(RangeError);
  });

  it('refuses a gift breakpoint of 0', () => {
    expect(() => giftPoints(10, { ...rates, giftBreakpoint: 0 })).toThrow(RangeError);
  });

  it('refuses a result too large to count exactly', () => {
    expect(() => pointsFor('follow', Number.MAX_SAFE_INTEGER, rates)).toThrow(RangeError);
    expect(() => scoreOf(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
  });
});
