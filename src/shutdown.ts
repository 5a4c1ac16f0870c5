import type { Logger } from './logging/logger.js';

/**
 * From the signal to the exit at most this long: inside the 10 s `docker stop` waits before its
 * SIGKILL, and above the HTTP server's 5 s drain of requests it already took in.
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;
/**
 * Once everything is stopped the process should end by itself; what still holds it after this is
 * a leak. discord.js's gateway keeps retrying when it is destroyed during the 500 ms pause between
 * two reconnect attempts (the Discord outage that made it reconnect is also why it does not end).
 */
export const DRAIN_MS = 1_000;

export interface StopOnSignalsOptions {
  logger: Logger;
  /** Stops everything the process started, in order. */
  stop: () => Promise<void>;
  signals?: readonly NodeJS.Signals[];
  deadlineMs?: number;
  drainMs?: number;
  exit?: (code: number) => never | void;
}

/**
 * SIGTERM or SIGINT stop the bot once and the process exits within `deadlineMs`, whatever a library
 * leaves behind; a second signal exits at once. When it has to force the exit, the log says what was
 * still open. Returns the function that removes the signal handlers.
 */
export function stopOnSignals(options: StopOnSignalsOptions): () => void {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const drainMs = options.drainMs ?? DRAIN_MS;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal, stillOpen: openResources() }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Unref'd: a process that ends by itself never waits for these.
    const deadline = setTimeout(() => {
      logger.error(
        { afterMs: deadlineMs, stillOpen: openResources() },
        'shutdown did not finish in time; exiting',
      );
      exit(1);
    }, deadlineMs).unref();
    void options
      .stop()
      .then(
        () => logger.info('stopped'),
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exitCode = 1;
        },
      )
      .then(() => {
        clearTimeout(deadline);
        setTimeout(() => {
          logger.warn(
            { afterMs: drainMs, stillOpen: openResources() },
            'still open after stopping; exiting anyway',
          );
          exit(Number(process.exitCode ?? 0));
        }, drainMs).unref();
      });
  };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}

/** What keeps the event loop alive, by kind: `{ TCPSocketWrap: 1, Timeout: 2 }`. */
function openResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
