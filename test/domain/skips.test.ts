import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  creditForRemoval,
  DEFAULT_GIFT_SKIP_THRESHOLDS,
  giftToSkipTier,
  isUpgrade,
  SKIP_TIER_AMOUNT,
  skipAmountToTier,
  validateGiftSkipThresholds,
  type GiftSkipThresholds,
} from '../../src/domain/skips.js';
import { SKIP_TIERS, TIERS, tierRank, type SkipTier } from '../../src/domain/tiers.js';
import { catchUserError } from './catch-user-error.js';

describe('skipAmountToTier', () => {
  it.each([
    [5, 'skip5'],
    [9, 'skip5'],
    [10, 'skip10'],
    [14, 'skip10'],
    [15, 'skip15'],
    [19, 'skip15'],
    [20, 'skip20'],
    [24, 'skip20'],
    [25, 'skip25'],
    [250, 'skip25'],
  ] as const)('a skip of %i lands in %s', (amount, tier) => {
    expect(skipAmountToTier(amount)).toBe(tier);
  });

  it('maps each tier amount back to its own tier', () => {
    for (const tier of SKIP_TIERS) expect(skipAmountToTier(SKIP_TIER_AMOUNT[tier])).toBe(tier);
  });

  it('states the tier amounts 25, 20, 15, 10 and 5', () => {
    expect(SKIP_TIER_AMOUNT).toEqual({ skip25: 25, skip20: 20, skip15: 15, skip10: 10, skip5: 5 });
  });

  it.each([0, 1, 4])('refuses a skip of %i as too low, naming the minimum', (amount) => {
    const error = catchUserError(() => skipAmountToTier(amount));
    expect(error.code).toBe('skip_amount_too_low');
    expect(error.message).toContain('5');
  });

  it.each([7.5, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])(
    'refuses %d as an invalid amount',
    (amount) => {
      expect(catchUserError(() => skipAmountToTier(amount)).code).toBe('invalid_amount');
    },
  );

  it('never gives a lower tier for a larger amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 10_000 }), fc.integer({ min: 0, max: 100 }), (a, extra) => {
        expect(tierRank(skipAmountToTier(a + extra))).toBeLessThanOrEqual(tierRank(skipAmountToTier(a)));
      }),
    );
  });

  it('never gives a tier worth more than the amount paid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 10_000 }), (amount) => {
        expect(SKIP_TIER_AMOUNT[skipAmountToTier(amount)]).toBeLessThanOrEqual(amount);
      }),
    );
  });
});

describe('isUpgrade', () => {
  it.each(SKIP_TIERS)('lets a Free song upgrade to %s', (to) => {
    expect(isUpgrade('free', to)).toBe(true);
  });

  it.each(SKIP_TIERS)('lets a Pending Skips song upgrade to %s', (to) => {
    expect(isUpgrade('pending', to)).toBe(true);
  });

  it('lets a 10 Skip song upgrade to 15 Skip', () => {
    expect(isUpgrade('skip10', 'skip15')).toBe(true);
  });

  it('does not count staying in the same skip tier as an upgrade', () => {
    expect(isUpgrade('skip10', 'skip10')).toBe(false);
  });

  it('does not count moving down from 20 Skip to 5 Skip as an upgrade', () => {
    expect(isUpgrade('skip20', 'skip5')).toBe(false);
  });

  it.each(['played', 'removed'] as const)('never upgrades a song in %s', (from) => {
    for (const to of SKIP_TIERS) expect(isUpgrade(from, to)).toBe(false);
  });

  it('upgrades a skipped song exactly when the target tier is served earlier', () => {
    for (const from of SKIP_TIERS) {
      for (const to of SKIP_TIERS) expect(isUpgrade(from, to)).toBe(tierRank(to) < tierRank(from));
    }
  });
});

describe('gift skips', () => {
  it('has default thresholds of 1,000 / 2,000 / 4,000 / 5,000 / 6,000 TikTok coins', () => {
    expect(DEFAULT_GIFT_SKIP_THRESHOLDS).toEqual({
      skip5: 1000,
      skip10: 2000,
      skip15: 4000,
      skip20: 5000,
      skip25: 6000,
    });
  });

  it.each([
    [1000, 'skip5'],
    [1999, 'skip5'],
    [2000, 'skip10'],
    [3999, 'skip10'],
    [4000, 'skip15'],
    [5000, 'skip20'],
    [5999, 'skip20'],
  ] as const)('a gift of %i coins buys %s', (coins, tier) => {
    expect(giftToSkipTier(coins, DEFAULT_GIFT_SKIP_THRESHOLDS)).toBe(tier);
  });

  it('a gift of 6,000 coins buys 25+ Skip', () => {
    expect(giftToSkipTier(6000, DEFAULT_GIFT_SKIP_THRESHOLDS)).toBe('skip25');
  });

  it('a gift of 44,999 coins still buys 25+ Skip, the top tier', () => {
    expect(giftToSkipTier(44_999, DEFAULT_GIFT_SKIP_THRESHOLDS)).toBe('skip25');
  });

  it.each([0, 1, 999])('a gift of %i coins buys no skip', (coins) => {
    expect(giftToSkipTier(coins, DEFAULT_GIFT_SKIP_THRESHOLDS)).toBeNull();
  });

  it('follows thresholds set by an admin', () => {
    const custom: GiftSkipThresholds = { skip5: 10, skip10: 20, skip15: 30, skip20: 40, skip25: 50 };
    expect(giftToSkipTier(9, custom)).toBeNull();
    expect(giftToSkipTier(35, custom)).toBe('skip15');
  });

  it.each<[string, GiftSkipThresholds]>([
    ['equal neighbours', { skip5: 1000, skip10: 1000, skip15: 4000, skip20: 5000, skip25: 6000 }],
    [
      'a lower tier above a higher one',
      { skip5: 1000, skip10: 2000, skip15: 6000, skip20: 5000, skip25: 7000 },
    ],
    ['a zero threshold', { skip5: 0, skip10: 2000, skip15: 4000, skip20: 5000, skip25: 6000 }],
    ['a fractional threshold', { skip5: 999.5, skip10: 2000, skip15: 4000, skip20: 5000, skip25: 6000 }],
  ])('refuses thresholds with %s', (_case, thresholds) => {
    expect(catchUserError(() => validateGiftSkipThresholds(thresholds)).code).toBe('invalid_amount');
    expect(catchUserError(() => giftToSkipTier(5000, thresholds)).code).toBe('invalid_amount');
  });

  it('accepts the default thresholds', () => {
    expect(() => validateGiftSkipThresholds(DEFAULT_GIFT_SKIP_THRESHOLDS)).not.toThrow();
  });

  it.each([-1, 1.5, Number.NaN])('treats a gift value of %d as a programming error', (coins) => {
    expect(() => giftToSkipTier(coins, DEFAULT_GIFT_SKIP_THRESHOLDS)).toThrow(RangeError);
  });

  it('never buys a lower tier with a larger gift', () => {
    const rank = (tier: SkipTier | null): number => (tier === null ? TIERS.length : tierRank(tier));
    fc.assert(
      fc.property(fc.nat(20_000), fc.nat(20_000), (a, extra) => {
        const smaller = giftToSkipTier(a, DEFAULT_GIFT_SKIP_THRESHOLDS);
        const larger = giftToSkipTier(a + extra, DEFAULT_GIFT_SKIP_THRESHOLDS);
        expect(rank(larger)).toBeLessThanOrEqual(rank(smaller));
      }),
    );
  });
});

describe('creditForRemoval', () => {
  it('returns the skip of a 20 Skip song removed unplayed', () => {
    expect(creditForRemoval({ tier: 'skip20', skipAmount: 20 }, { withoutCredit: false })).toEqual({
      tier: 'skip20',
      skipAmount: 20,
    });
  });

  it('keeps the full amount paid for a 25+ Skip', () => {
    expect(creditForRemoval({ tier: 'skip25', skipAmount: 60 }, { withoutCredit: false })).toEqual({
      tier: 'skip25',
      skipAmount: 60,
    });
  });

  it('leaves no credit when the reviewer removes without credit', () => {
    expect(creditForRemoval({ tier: 'skip10', skipAmount: 10 }, { withoutCredit: true })).toBeNull();
  });

  it.each(['free', 'pending', 'played', 'removed'] as const)('leaves no credit for a song in %s', (tier) => {
    expect(creditForRemoval({ tier, skipAmount: 10 }, { withoutCredit: false })).toBeNull();
  });
});
