import type { Queryable } from '../storage/connect.js';

/** What a job's run receives. */
export interface JobRun {
  /** The claiming transaction (`once-per-period`, and per guild for a per-guild job) or the database (`every-process`). */
  db: Queryable;
  /** floor(epoch ms / period): the period this run belongs to. */
  slot: number;
  /**
   * Runs `fn` once the run's writes are committed: signals to other modules must not announce work a
   * rollback undid.
   */
  afterCommit(fn: () => void): void;
}

interface JobBase {
  /**
   * Unique across the bot, without `:`: it keys the job's claimed slots in the database (a per-guild
   * job's keys are `<name>:<guild id>`).
   */
  name: string;
  periodMs: number;
}

/** A job whose work is the whole process's or the whole database's. */
export interface ProcessJob extends JobBase {
  /**
   * `once-per-period`: of all processes sharing the database, exactly one runs each period, inside
   * a transaction that also claims the period's slot (the job writes through `run.db`).
   * `every-process`: each process runs it, for work on its own state or work that is safe to repeat.
   */
  runs: 'once-per-period' | 'every-process';
  run(run: JobRun): Promise<void>;
}

/**
 * A job whose work is per guild: each period, each guild's run happens exactly once across all
 * processes, in a transaction of its own that claims the guild's slot. So a guild's locks are held
 * only for its own run, a guild that fails leaves the others done (and its own slot free for a retry
 * by another process), and a process killed mid-run leaves only the guilds it had not finished.
 */
export interface PerGuildJob extends JobBase {
  runs: 'once-per-guild-per-period';
  /** The guilds with work this period (read before and outside the guilds' transactions). */
  guilds(db: Queryable): Promise<string[]>;
  run(run: JobRun, guildId: string): Promise<void>;
}

/** A periodic job, registered with the Scheduler by any module. */
export type Job = ProcessJob | PerGuildJob;

export type JobOutcome = 'ran' | 'already-ran';

/** The guilds whose run failed in one run of a per-guild job; the other guilds' runs committed. */
export class GuildRunsFailed extends Error {
  constructor(
    readonly job: string,
    readonly failures: { guildId: string; error: unknown }[],
  ) {
    super(`job ${job} failed in ${failures.length} guild(s): ${failures.map((f) => f.guildId).join(', ')}`);
    this.name = 'GuildRunsFailed';
  }
}
