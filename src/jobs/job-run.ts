import type { Database } from '../storage/connect.js';
import { claimJobSlot, pruneJobSlots } from '../storage/job-slots-repo.js';
import type { Job, JobOutcome } from './job.js';

export function slotOf(job: Pick<Job, 'periodMs'>, epochMs: number): number {
  return Math.floor(epochMs / job.periodMs);
}

/**
 * One run of `job` for `slot`. A `once-per-period` job runs inside a transaction that first claims
 * the slot: its writes and the claim commit together or not at all. Throws what the job throws
 * (after the rollback); `afterCommit` callbacks run only after a successful commit.
 */
export async function runJobInSlot(database: Database, job: Job, slot: number): Promise<JobOutcome> {
  const afterCommit: (() => void)[] = [];
  const run = { slot, afterCommit: (fn: () => void) => void afterCommit.push(fn) };
  if (job.runs === 'every-process') {
    await job.run({ ...run, db: database.db });
  } else {
    const claimed = await database.db.transaction(async (tx) => {
      if (!(await claimJobSlot(tx, job.name, slot))) return false;
      await job.run({ ...run, db: tx });
      return true;
    });
    if (!claimed) return 'already-ran';
  }
  for (const fn of afterCommit) fn();
  if (job.runs === 'once-per-period') await pruneJobSlots(database.db, job.name, slot);
  return 'ran';
}
