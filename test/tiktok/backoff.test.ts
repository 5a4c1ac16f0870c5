import { expect, test } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/tiktok/backoff.js';

const middle = () => 0.5; // no jitter

test('the wait doubles with each consecutive failure, from minMs up to maxMs', () => {
  const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((failures) =>
    backoffDelay(failures, DEFAULT_BACKOFF, middle),
  );
  expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
});

test('jitter spreads the wait by ±20 % without leaving [minMs, maxMs]', () => {
  expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(6_400);
  expect(backoffDelay(3, DEFAULT_BACKOFF, () => 1)).toBe(9_600);
  expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).toBe(2_000);
  expect(backoffDelay(20, DEFAULT_BACKOFF, () => 1)).toBe(300_000);
});

test('a huge failure count stays at the ceiling', () => {
  expect(backoffDelay(5_000, DEFAULT_BACKOFF, middle)).toBe(300_000);
});
