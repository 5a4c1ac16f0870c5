import type { Database } from '../storage/connect.js';
import { claimJobSlot, guildSlotKey, pruneJobSlots } from '../storage/job-slots-repo.js';
import { GuildRunsFailed, type Job, type JobOutcome, type JobRun, type PerGuildJob } from './job.js';

export function slotOf(job: Pick<Job, 'periodMs'>, epochMs: number): number {
  return Math.floor(epochMs / job.periodMs);
}

/**
 * One run of `job` for `slot`. A `once-per-period` job runs inside a transaction that first claims
 * the slot: its writes and the claim commit together or not at all. Throws what the job throws
 * (after the rollback); `afterCommit` callbacks run only after a successful commit. A per-guild job
 * runs guild by guild the same way (see runPerGuild), and starts no further guild once `stopping`
 * says so: the guilds left are another process's to run.
 */
export async function runJobInSlot(
  database: Database,
  job: Job,
  slot: number,
  options: { stopping?: () => boolean } = {},
): Promise<JobOutcome> {
  if (job.runs === 'once-per-guild-per-period') return runPerGuild(database, job, slot, options.stopping);
  const { run, committed } = runOf(slot);
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
  committed();
  if (job.runs === 'once-per-period') await pruneJobSlots(database.db, job.name, slot);
  return 'ran';
}

/**
 * Each guild in its own transaction that claims `<job>:<guild>` for the slot: a guild whose slot
 * another process holds waits for it (then finds it done, or claims it if that process died), and a
 * guild that fails rolls back alone. Every guild is tried; failures are thrown together at the end as
 * GuildRunsFailed. 'already-ran' when every guild's slot was already done elsewhere.
 */
async function runPerGuild(
  database: Database,
  job: PerGuildJob,
  slot: number,
  stopping: () => boolean = () => false,
): Promise<JobOutcome> {
  const guilds = await job.guilds(database.db);
  const failures: GuildRunsFailed['failures'] = [];
  let ranHere = 0;
  for (const guildId of guilds) {
    if (stopping()) break;
    const { run, committed } = runOf(slot);
    try {
      const claimed = await database.db.transaction(async (tx) => {
        if (!(await claimJobSlot(tx, guildSlotKey(job.name, guildId), slot))) return false;
        await job.run({ ...run, db: tx }, guildId);
        return true;
      });
      if (!claimed) continue;
    } catch (error) {
      failures.push({ guildId, error });
      continue;
    }
    ranHere += 1;
    committed();
  }
  await pruneJobSlots(database.db, job.name, slot);
  if (failures.length > 0) throw new GuildRunsFailed(job.name, failures);
  return guilds.length > 0 && ranHere === 0 ? 'already-ran' : 'ran';
}

function runOf(slot: number): { run: Omit<JobRun, 'db'>; committed: () => void } {
  const afterCommit: (() => void)[] = [];
  return {
    run: { slot, afterCommit: (fn) => void afterCommit.push(fn) },
    committed: () => afterCommit.forEach((fn) => fn()),
  };
}
