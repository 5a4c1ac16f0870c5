import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCoins,
  BUY_SKIP_DEFAULTS,
  convertWithCarry,
  GIFT_COIN_RATE,
  spend,
  WATCH_COIN_RATE,
  type ConversionRate,
} from '../../src/domain/coins.js';
import { catchUserError } from './catch-user-error.js';

/** Feeds a sequence of amounts through the converter, as the ingest does event by event. */
function convertAll(amounts: readonly number[], rate: ConversionRate): { coins: number; carryUnits: number } {
  let coins = 0;
  let carryUnits = 0;
  for (const amount of amounts) {
    const step = convertWithCarry(amount, carryUnits, rate);
    coins += step.coins;
    carryUnits = step.carryUnits;
  }
  return { coins, carryUnits };
}

describe('Luxury Coin rates', () => {
  it('gives 2 Luxury Coins per 100 TikTok coins gifted', () => {
    expect(GIFT_COIN_RATE).toEqual({ coins: 2, per: 100 });
  });

  it('gives 1 Luxury Coin per 30 minutes watched', () => {
    expect(WATCH_COIN_RATE).toEqual({ coins: 1, per: 30 });
  });

  it('sells a 10 Skip for 1,000 Luxury Coins by default', () => {
    expect(BUY_SKIP_DEFAULTS).toEqual({ price: 1000, tier: 'skip10' });
  });
});

describe('convertWithCarry', () => {
  it('three 50-coin gifts give 3 Luxury Coins', () => {
    expect(convertAll([50, 50, 50], GIFT_COIN_RATE)).toEqual({ coins: 3, carryUnits: 0 });
  });

  it('two 30-coin gifts give 1 Luxury Coin and carry 20', () => {
    expect(convertAll([30, 30], GIFT_COIN_RATE)).toEqual({ coins: 1, carryUnits: 20 });
  });

  it('a 30-coin gift alone gives nothing yet and carries 60', () => {
    expect(convertWithCarry(30, 0, GIFT_COIN_RATE)).toEqual({ coins: 0, carryUnits: 60 });
  });

  it('45 minutes watched give 1 Luxury Coin; 15 more complete the second', () => {
    const first = convertWithCarry(45, 0, WATCH_COIN_RATE);
    expect(first).toEqual({ coins: 1, carryUnits: 15 });
    expect(convertWithCarry(15, first.carryUnits, WATCH_COIN_RATE)).toEqual({ coins: 1, carryUnits: 0 });
  });

  it.each([-1, 100, 2.5])('treats a carry of %d outside [0, per) as a programming error', (carry) => {
    expect(() => convertWithCarry(10, carry, GIFT_COIN_RATE)).toThrow(RangeError);
  });

  it.each([-1, 0.5, Number.NaN])('treats an amount of %d as a programming error', (amount) => {
    expect(() => convertWithCarry(amount, 0, GIFT_COIN_RATE)).toThrow(RangeError);
  });

  it('refuses a rate with per 0', () => {
    expect(() => convertWithCarry(10, 0, { coins: 1, per: 0 })).toThrow(RangeError);
  });

  it('refuses an amount whose value overflows exact integers', () => {
    expect(() => convertWithCarry(Number.MAX_SAFE_INTEGER, 0, GIFT_COIN_RATE)).toThrow(RangeError);
  });

  const rateArb = fc.record({
    coins: fc.integer({ min: 0, max: 10 }),
    per: fc.integer({ min: 1, max: 500 }),
  });
  const amountsArb = fc.array(fc.nat(100_000), { maxLength: 50 });

  it('conserves value: coins × per plus the carry is always the total converted', () => {
    fc.assert(
      fc.property(rateArb, amountsArb, (rate, amounts) => {
        const { coins, carryUnits } = convertAll(amounts, rate);
        const total = amounts.reduce((sum, a) => sum + a, 0) * rate.coins;
        expect(coins * rate.per + carryUnits).toBe(total);
        expect(carryUnits).toBeGreaterThanOrEqual(0);
        expect(carryUnits).toBeLessThan(rate.per);
      }),
    );
  });

  it('gives the same result however the amounts are split into events', () => {
    fc.assert(
      fc.property(rateArb, amountsArb, (rate, amounts) => {
        const total = amounts.reduce((sum, a) => sum + a, 0);
        expect(convertAll(amounts, rate)).toEqual(convertWithCarry(total, 0, rate));
      }),
    );
  });
});

describe('spend', () => {
  it('takes the price from the balance', () => {
    expect(spend(1500, 1000)).toBe(500);
  });

  it('can spend the whole balance', () => {
    expect(spend(1000, 1000)).toBe(0);
  });

  it('refuses when the balance is short, saying what the member has and what a skip costs', () => {
    const error = catchUserError(() => spend(999, 1000));
    expect(error.code).toBe('insufficient_coins');
    expect(error.message).toBe('You have 999 Luxury Coins; a skip costs 1,000 Luxury Coins.');
  });

  it('says "1 Luxury Coin" for a balance of one', () => {
    expect(catchUserError(() => spend(1, 1000)).message).toBe(
      'You have 1 Luxury Coin; a skip costs 1,000 Luxury Coins.',
    );
  });

  it('treats a negative price as a programming error', () => {
    expect(() => spend(100, -5)).toThrow(RangeError);
  });

  it('never leaves a negative balance', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (balance, price) => {
        let after: number | undefined;
        try {
          after = spend(balance, price);
        } catch {
          expect(price).toBeGreaterThan(balance);
          return;
        }
        expect(after).toBe(balance - price);
        expect(after).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('addCoins', () => {
  it('adds earned coins to the balance', () => {
    expect(addCoins(10, 5)).toBe(15);
  });

  it('takes coins back with a negative delta', () => {
    expect(addCoins(10, -10)).toBe(0);
  });

  it('refuses to take the balance below zero', () => {
    expect(() => addCoins(10, -11)).toThrow(RangeError);
  });

  it('accepts the largest exactly countable balance', () => {
    expect(addCoins(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a balance beyond what can be counted exactly (well within PostgreSQL bigint)', () => {
    expect(() => addCoins(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
  });

  it.each([0.5, Number.NaN])('treats a delta of %d as a programming error', (delta) => {
    expect(() => addCoins(10, delta)).toThrow(RangeError);
  });
});
