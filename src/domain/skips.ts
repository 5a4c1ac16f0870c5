import { UserFacingError } from './errors.js';
import { isSkipTier, SKIP_TIERS, tierRank, type SkipTier, type Tier } from './tiers.js';

/** The amount each skip tier stands for; 25+ Skip is the floor of its open-ended range. */
export const SKIP_TIER_AMOUNT: Record<SkipTier, number> = {
  skip25: 25,
  skip20: 20,
  skip15: 15,
  skip10: 10,
  skip5: 5,
};

/**
 * The largest skip a viewer can ask for. Discord checks an option's maximum in the client only, and
 * skip amounts are stored as PostgreSQL integer, so the rule is enforced here as well.
 */
export const MAX_SKIP_AMOUNT = 1_000_000;

/**
 * The tier a paid skip of `amount` lands in: the highest tier whose amount is not above it, so 12
 * buys 10 Skip and anything from 25 up buys 25+ Skip (where larger amounts are served first).
 */
export function skipAmountToTier(amount: number): SkipTier {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new UserFacingError('invalid_amount', 'The skip amount must be a whole number, like 5, 10 or 25.');
  }
  if (amount > MAX_SKIP_AMOUNT) {
    throw new UserFacingError(
      'invalid_amount',
      `The skip amount must be a whole number from ${SKIP_TIER_AMOUNT.skip5} to ${MAX_SKIP_AMOUNT.toLocaleString('en-US')}.`,
    );
  }
  const tier = SKIP_TIERS.find((t) => amount >= SKIP_TIER_AMOUNT[t]);
  if (tier === undefined) {
    throw new UserFacingError(
      'skip_amount_too_low',
      `The smallest skip is ${SKIP_TIER_AMOUNT.skip5}; use 5 or more.`,
    );
  }
  return tier;
}

/**
 * Whether moving a submission from `from` to the skip tier `to` is a step up: any open song without a
 * skip (Free, Pending Skips) can be upgraded, a skipped song only to a higher skip tier, and history
 * (Songs Played, Removed) never.
 */
export function isUpgrade(from: Tier, to: SkipTier): boolean {
  if (from === 'free' || from === 'pending') return true;
  return isSkipTier(from) && tierRank(to) < tierRank(from);
}

/** TikTok coins a single gift (or completed streak) must reach to buy each skip tier. */
export interface GiftSkipThresholds {
  skip5: number;
  skip10: number;
  skip15: number;
  skip20: number;
  skip25: number;
}

export const DEFAULT_GIFT_SKIP_THRESHOLDS: Readonly<GiftSkipThresholds> = {
  skip5: 1000,
  skip10: 2000,
  skip15: 4000,
  skip20: 5000,
  skip25: 6000,
};

/** Thresholds are set by admins: each must be a positive whole number of coins above the one below. */
export function validateGiftSkipThresholds(thresholds: GiftSkipThresholds): void {
  const ascending = [...SKIP_TIERS].reverse().map((t) => thresholds[t]);
  const valid = ascending.every(
    (coins, i) => Number.isSafeInteger(coins) && coins > 0 && (i === 0 || coins > (ascending[i - 1] ?? 0)),
  );
  if (!valid) {
    throw new UserFacingError(
      'invalid_amount',
      'Gift skip thresholds must be whole numbers of TikTok coins, rising from 5 Skip up to 25+ Skip.',
    );
  }
}

/** The highest skip tier a gift of `tiktokCoins` reaches, or null when it is below every threshold. */
export function giftToSkipTier(tiktokCoins: number, thresholds: GiftSkipThresholds): SkipTier | null {
  if (!Number.isSafeInteger(tiktokCoins) || tiktokCoins < 0) {
    throw new RangeError(`gift value must be a non-negative safe integer, got ${tiktokCoins}`);
  }
  validateGiftSkipThresholds(thresholds);
  return SKIP_TIERS.find((t) => tiktokCoins >= thresholds[t]) ?? null;
}

/** A skip the submitter keeps after their skipped song was removed unplayed; it can be spent again. */
export interface SkipCredit {
  tier: SkipTier;
  skipAmount: number;
}

/**
 * The credit left when a submission is removed: a song still in a skip tier was paid for and never
 * played, so the skip is returned unless the reviewer removes it without credit (e.g. a rule breach).
 * A Pending request was not granted yet, and history has no skip left to return.
 */
export function creditForRemoval(
  entry: { tier: Tier; skipAmount: number },
  opts: { withoutCredit: boolean },
): SkipCredit | null {
  if (opts.withoutCredit || !isSkipTier(entry.tier)) return null;
  return { tier: entry.tier, skipAmount: entry.skipAmount };
}
