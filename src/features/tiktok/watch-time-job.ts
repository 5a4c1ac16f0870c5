import type { Job } from '../../jobs/job.js';
import type { Logger } from '../../logging/logger.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { guildsWithOpenLive, tickWatchTime } from '../../storage/watch-time-repo.js';

export const WATCH_TIME_PERIOD_MS = 60_000;

/**
 * A watch minute for the viewers of every open LIVE, once per minute across all processes sharing the
 * database: the minute's slot is claimed in the same transaction as the credits, so a second process
 * (or a retry) finds the minute done. Viewers are whoever the ingest saw recently (`last_seen_at`), so
 * the process that wins the slot need not be the one connected to the LIVE. Each guild runs in its
 * own savepoint: one guild's failure is logged and does not void the others' minute.
 */
export function watchTimeJob(
  logger: Pick<Logger, 'error'>,
  periodMs = WATCH_TIME_PERIOD_MS,
  clock: () => Date = () => new Date(),
): Job {
  return {
    name: 'tiktok-watch-time',
    periodMs,
    runs: 'once-per-period',
    async run({ db }) {
      const now = clock();
      for (const guildId of await guildsWithOpenLive(db)) {
        try {
          await db.transaction(async (guildTx) => {
            const { settings } = await getGuildConfig(guildTx, guildId);
            await tickWatchTime(guildTx, guildId, now, settings);
          });
        } catch (error) {
          logger.error({ err: error, guildId }, 'tiktok watch time tick failed');
        }
      }
    },
  };
}
