import type { QueueEvents } from '../discord/queue-events.js';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/connect.js';

/** The channel the database triggers notify (migration 0010_queue_changes.sql). */
export const QUEUE_CHANGED_CHANNEL = 'queue_changed';

/**
 * The one source of queue changes in a process: a LISTEN on `queue_changed`, which the database's
 * triggers notify after each commit that touches a server's queue, whichever process wrote it. Views
 * subscribe to `queueEvents`; write paths publish nothing themselves.
 */
export async function startQueueChangeFeed(
  database: Database,
  queueEvents: QueueEvents,
  logger: Logger,
): Promise<() => Promise<void>> {
  return database.listen(QUEUE_CHANGED_CHANNEL, {
    onPayload: (guildId) => queueEvents.changed(guildId),
    onResync: () => {
      logger.info('queue change listener reconnected: refreshing every view');
      queueEvents.resync();
    },
    onProblem: (error) => logger.warn({ err: error?.message }, 'queue change listener lost its connection'),
  });
}
