import type { QueueEvents } from '../../discord/queue-events.js';
import type { Job } from '../../jobs/job.js';
import { guildsWithFreeSubmissions, syncFreeScores } from '../../storage/score-sync.js';

export const SCORE_SYNC_PERIOD_MS = 30_000;

/**
 * Free submissions are ordered by their submitter's points, which change all the time (gifts, watch
 * time, chat). Every 30 s, once across all processes, scores catch up; guilds whose Free order was
 * ranked anew are announced so their queue views refresh.
 */
export function scoreSyncJob(queueEvents: QueueEvents, periodMs = SCORE_SYNC_PERIOD_MS): Job {
  return {
    name: 'score-sync',
    periodMs,
    runs: 'once-per-period',
    async run({ db, afterCommit }) {
      for (const guildId of await guildsWithFreeSubmissions(db)) {
        if ((await syncFreeScores(db, guildId)) > 0)
          afterCommit(() => queueEvents.changed(guildId, 'score-sync'));
      }
    },
  };
}
