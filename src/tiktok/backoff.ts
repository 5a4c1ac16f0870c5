export type BackoffOptions = {
  /** Wait after the first failure. */
  minMs: number;
  /** Ceiling, reached after log2(maxMs / minMs) consecutive failures. */
  maxMs: number;
};

/** 2 s → 4 s → … → 5 min: quick recovery from a blip, gentle on the sign server during an outage. */
export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 2_000, maxMs: 5 * 60_000 };

/**
 * Exponential backoff with ±20 % jitter, clamped to [minMs, maxMs]. The jitter spreads the reconnects of
 * several bots that lost TikTok at the same moment. `failures` counts from 1.
 */
export function backoffDelay(
  failures: number,
  { minMs, maxMs }: BackoffOptions,
  random: () => number,
): number {
  const exponential = minMs * 2 ** Math.max(0, failures - 1);
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.min(maxMs, Math.max(minMs, jittered)));
}
