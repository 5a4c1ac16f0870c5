import type { PerGuildJob } from '../../jobs/job.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { guildsWithOpenLive, tickWatchTime } from '../../storage/watch-time-repo.js';

export const WATCH_TIME_PERIOD_MS = 60_000;

/**
 * A watch minute for the viewers of every open LIVE, once per minute and server across all processes
 * sharing the database: the server's minute is claimed in the same transaction as its credits, so a
 * second process (or a retry) finds the minute done. Viewers are whoever the ingest saw recently
 * (`last_seen_at`), so the process that wins the slot need not be the one connected to the LIVE. Each
 * server's transaction holds its accounts' row locks only for its own tick, and a server whose tick
 * fails (logged by the scheduler) does not void the others' minute.
 */
export function watchTimeJob(
  periodMs = WATCH_TIME_PERIOD_MS,
  clock: () => Date = () => new Date(),
): PerGuildJob {
  return {
    name: 'tiktok-watch-time',
    periodMs,
    runs: 'once-per-guild-per-period',
    guilds: guildsWithOpenLive,
    async run({ db }, guildId) {
      const { settings } = await getGuildConfig(db, guildId);
      await tickWatchTime(db, guildId, clock(), settings);
    },
  };
}
