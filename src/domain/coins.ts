import { UserFacingError } from './errors.js';
import type { SkipTier } from './tiers.js';

/** `coins` Luxury Coins for every `per` units (TikTok coins gifted, minutes watched). */
export interface ConversionRate {
  coins: number;
  per: number;
}

export const GIFT_COIN_RATE: Readonly<ConversionRate> = { coins: 2, per: 100 };
export const WATCH_COIN_RATE: Readonly<ConversionRate> = { coins: 1, per: 30 };

/** What `/buy-skip` costs and buys unless an admin changes it. */
export const BUY_SKIP_DEFAULTS: Readonly<{ price: number; tier: SkipTier }> = { price: 1000, tier: 'skip10' };

/**
 * Converts `amount` units to whole Luxury Coins, carrying what is left over to the next event so small
 * gifts add up exactly: three 50-coin gifts earn 3 coins, two 30-coin gifts earn 1 coin and carry 20.
 * The carry is kept in rate units (`amount × rate.coins`), so it is always an integer below `rate.per`.
 */
export function convertWithCarry(
  amount: number,
  carryUnits: number,
  rate: ConversionRate,
): { coins: number; carryUnits: number } {
  assertNonNegative('amount', amount);
  assertNonNegative('rate.coins', rate.coins);
  if (!Number.isSafeInteger(rate.per) || rate.per < 1) {
    throw new RangeError(`rate.per must be a positive safe integer, got ${rate.per}`);
  }
  if (!Number.isSafeInteger(carryUnits) || carryUnits < 0 || carryUnits >= rate.per) {
    throw new RangeError(`carryUnits must be an integer in [0, ${rate.per}), got ${carryUnits}`);
  }
  const acc = carryUnits + amount * rate.coins;
  if (!Number.isSafeInteger(acc)) throw new RangeError(`conversion overflow: ${amount} × ${rate.coins}`);
  return { coins: Math.floor(acc / rate.per), carryUnits: acc % rate.per };
}

/** The balance after paying `price`; refuses (and changes nothing) when the balance is short. */
export function spend(balance: number, price: number): number {
  assertNonNegative('balance', balance);
  assertNonNegative('price', price);
  if (price > balance) {
    throw new UserFacingError(
      'insufficient_coins',
      `You have ${luxuryCoins(balance)}; a skip costs ${luxuryCoins(price)}.`,
    );
  }
  return balance - price;
}

/**
 * The balance after adding `delta` (negative to take coins back). Balances are stored as PostgreSQL
 * bigint, but a JS number is only exact up to 2^53 − 1, so that is the ceiling here, well inside bigint.
 */
export function addCoins(balance: number, delta: number): number {
  assertNonNegative('balance', balance);
  if (!Number.isSafeInteger(delta)) throw new RangeError(`delta must be a safe integer, got ${delta}`);
  const next = balance + delta;
  if (next < 0) throw new RangeError(`balance ${balance} cannot drop by ${-delta}`);
  if (next > Number.MAX_SAFE_INTEGER)
    throw new RangeError(`balance ${balance} + ${delta} exceeds the maximum`);
  return next;
}

function luxuryCoins(n: number): string {
  return `${n.toLocaleString('en-US')} Luxury ${n === 1 ? 'Coin' : 'Coins'}`;
}

function assertNonNegative(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}
