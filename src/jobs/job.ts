import type { Queryable } from '../storage/connect.js';

/** What a job's run receives. */
export interface JobRun {
  /** The claiming transaction (`once-per-period`) or the database (`every-process`). */
  db: Queryable;
  /** floor(epoch ms / period): the period this run belongs to. */
  slot: number;
  /**
   * Runs `fn` once the run's writes are committed: signals to other modules (queue changed) must not
   * announce work a rollback undid.
   */
  afterCommit(fn: () => void): void;
}

/** A periodic job, registered with the Scheduler by any module. */
export interface Job {
  /** Unique across the bot: it keys the job's claimed slots in the database. */
  name: string;
  periodMs: number;
  /**
   * `once-per-period`: of all processes sharing the database, exactly one runs each period, inside
   * a transaction that also claims the period's slot (the job writes through `run.db`).
   * `every-process`: each process runs it, for work on its own state or work that is safe to repeat.
   */
  runs: 'once-per-period' | 'every-process';
  run(run: JobRun): Promise<void>;
}

export type JobOutcome = 'ran' | 'already-ran';
