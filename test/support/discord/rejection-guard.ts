import { setImmediate } from 'node:timers/promises';
import { afterEach, beforeEach } from 'vitest';

/**
 * Fails the running test when a promise rejects unhandled — discord.js turns a broken interaction
 * payload or a failing listener into exactly that, which would otherwise pass silently.
 * Call once at the top of a test file.
 */
export function installUnhandledRejectionGuard(): void {
  const rejections: unknown[] = [];
  const collect = (reason: unknown) => rejections.push(reason);
  beforeEach(() => {
    rejections.length = 0;
    process.on('unhandledRejection', collect);
  });
  afterEach(async () => {
    await setImmediate();
    process.off('unhandledRejection', collect);
    if (rejections.length > 0) {
      throw new AggregateError(
        rejections,
        `${rejections.length} unhandled rejection(s) during the test: ${rejections.map(String).join('; ')}`,
      );
    }
  });
}
