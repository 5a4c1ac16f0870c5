import type { PerGuildJob } from '../../jobs/job.js';
import { guildsWithFreeSubmissions, syncFreeScores } from '../../storage/score-sync.js';

export const SCORE_SYNC_PERIOD_MS = 30_000;

/**
 * Free submissions are ordered by their submitter's points, which change all the time (gifts, watch
 * time, chat). Every 30 s, once per server across all processes, scores catch up; a Free order
 * ranked anew reaches the queue views through the database's queue-change notification. Each server
 * syncs in its own transaction: its free-order gate, which takes of that server wait on, closes only
 * for its own sync, and a server whose sync fails holds up no other.
 */
export function scoreSyncJob(periodMs = SCORE_SYNC_PERIOD_MS): PerGuildJob {
  return {
    name: 'score-sync',
    periodMs,
    runs: 'once-per-guild-per-period',
    guilds: guildsWithFreeSubmissions,
    async run({ db }, guildId) {
      await syncFreeScores(db, guildId);
    },
  };
}
