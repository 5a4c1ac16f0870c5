import type { QueueEvents } from '../discord/queue-events.js';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/connect.js';
import { guildConfigCache } from '../storage/guild-config-repo.js';

/** The channel the database triggers notify (migrations 0010_queue_changes.sql and 0016). */
export const QUEUE_CHANGED_CHANNEL = 'queue_changed';
/** The payload's suffix when a server's settings changed (guild_config), not its queue. */
const SETTINGS_SUFFIX = ':settings';

/**
 * The one source of queue changes in a process: a LISTEN on `queue_changed`, which the database's
 * triggers notify after each commit that touches a server's queue or settings, whichever process
 * wrote it. Views subscribe to `queueEvents`; write paths publish nothing themselves. A settings
 * change also drops this process's copy of that server's config, which is kept only while this
 * listener is up (GuildConfigCache).
 */
export async function startQueueChangeFeed(
  database: Database,
  queueEvents: QueueEvents,
  logger: Logger,
): Promise<() => Promise<void>> {
  const configs = guildConfigCache(database.db);
  const unlisten = await database.listen(QUEUE_CHANGED_CHANNEL, {
    onPayload: (payload) => {
      const settings = payload.endsWith(SETTINGS_SUFFIX);
      const guildId = settings ? payload.slice(0, -SETTINGS_SUFFIX.length) : payload;
      if (settings) configs.forget(guildId);
      queueEvents.changed(guildId);
    },
    onListening: () => configs.trust(),
    onResync: () => {
      logger.info('queue change listener reconnected: refreshing every view');
      queueEvents.resync();
    },
    onProblem: (error) => {
      configs.distrust();
      logger.warn({ err: error?.message }, 'queue change listener lost its connection');
    },
  });
  return async () => {
    configs.distrust();
    await unlisten();
  };
}
