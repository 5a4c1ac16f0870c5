import type { Job } from '../../jobs/job.js';
import { guildsWithFreeSubmissions, syncFreeScores } from '../../storage/score-sync.js';

export const SCORE_SYNC_PERIOD_MS = 30_000;

/**
 * Free submissions are ordered by their submitter's points, which change all the time (gifts, watch
 * time, chat). Every 30 s, once across all processes, scores catch up; a Free order ranked anew
 * reaches the queue views through the database's queue-change notification.
 */
export function scoreSyncJob(periodMs = SCORE_SYNC_PERIOD_MS): Job {
  return {
    name: 'score-sync',
    periodMs,
    runs: 'once-per-period',
    async run({ db }) {
      for (const guildId of await guildsWithFreeSubmissions(db)) await syncFreeScores(db, guildId);
    },
  };
}
