import type { InteractionKind } from './interactions.js';

/** Points per engagement on the TikTok LIVE; gifts are priced per TikTok coin in two brackets. */
export interface PointRates {
  like: number;
  comment: number;
  share: number;
  follow: number;
  /** Points per coin for the coins of a gift below `giftBreakpoint`. */
  giftPerCoinBelow: number;
  /** Points per coin for the coins of a gift from `giftBreakpoint` up. */
  giftPerCoinFrom: number;
  giftBreakpoint: number;
}

export const DEFAULT_POINT_RATES: Readonly<PointRates> = {
  like: 1,
  comment: 2,
  share: 5,
  follow: 10,
  giftPerCoinBelow: 2,
  giftPerCoinFrom: 1,
  giftBreakpoint: 1000,
};

/**
 * Points for one gift (a completed streak counts as one gift of its total value), priced like tax
 * brackets: coins 1..breakpoint-1 earn `giftPerCoinBelow` each, coins from the breakpoint up earn
 * `giftPerCoinFrom` each. With the defaults a 1,500-coin gift earns 999 × 2 + 501 × 1 = 2,499.
 * Pricing the margin (not the whole gift) at the lower rate keeps points monotonic in gift size:
 * a 1,000-coin gift never earns less than a 999-coin one. The brackets apply per gift, so they damp
 * a single huge gift without touching the many small ones a crowd sends.
 */
export function giftPoints(tiktokCoins: number, rates: PointRates): number {
  assertCount('gift value', tiktokCoins);
  assertRates(rates);
  const coinsBelow = Math.min(tiktokCoins, rates.giftBreakpoint - 1);
  const coinsFrom = tiktokCoins - coinsBelow;
  return safeResult(coinsBelow * rates.giftPerCoinBelow + coinsFrom * rates.giftPerCoinFrom);
}

/**
 * Points for one engagement event. `amount` is the count the event carries: likes in the batch,
 * comments, shares or follows (usually 1), the TikTok coin value of a gift. Joins and viewer counts
 * are tracked but earn nothing.
 */
export function pointsFor(kind: InteractionKind, amount: number, rates: PointRates): number {
  assertCount(kind, amount);
  assertRates(rates);
  switch (kind) {
    case 'like':
    case 'comment':
    case 'share':
    case 'follow':
      return safeResult(amount * rates[kind]);
    case 'gift':
      return giftPoints(amount, rates);
    case 'join':
    case 'viewers':
      return 0;
  }
}

/** A member's score: points earned in Discord plus the points of their linked TikTok account. */
export function scoreOf(discordPoints: number, linkedTikTokPoints: number): number {
  assertCount('discord points', discordPoints);
  assertCount('tiktok points', linkedTikTokPoints);
  return safeResult(discordPoints + linkedTikTokPoints);
}

function assertCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}

const RATE_NAMES = Object.keys(DEFAULT_POINT_RATES) as (keyof PointRates)[];

function assertRates(rates: PointRates): void {
  for (const name of RATE_NAMES) assertCount(`rate ${name}`, rates[name]);
  if (rates.giftBreakpoint < 1) {
    throw new RangeError(`rate giftBreakpoint must be at least 1, got ${rates.giftBreakpoint}`);
  }
}

function safeResult(points: number): number {
  if (!Number.isSafeInteger(points)) throw new RangeError(`points overflow: ${points}`);
  return points;
}
