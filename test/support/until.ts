import { setTimeout as sleep } from 'node:timers/promises';

/** What `check` found: anything but `undefined`, `null` and `false`. */
export type Found<T> = Exclude<Awaited<T>, undefined | null | false>;

/**
 * Polls `check` until it finds something (true, or the value it looked for) and returns that; fails
 * naming `what` after `timeoutMs`. A check that throws counts as not yet (the database may be down
 * on purpose), and its last error becomes the failure's cause. Time is read from the monotonic clock,
 * since some tests freeze `Date`.
 */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
): Promise<Found<T>> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as Found<T>;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`, lastError === undefined ? {} : { cause: lastError });
    }
    await sleep(10);
  }
}
