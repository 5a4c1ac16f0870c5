import { isDatabaseUnavailable } from '../discord/errors.js';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/connect.js';
import { GuildRunsFailed, type Job } from './job.js';
import { runJobInSlot, slotOf } from './job-run.js';

export interface JobStats {
  /** Runs that did the work in this process. */
  runs: number;
  /** Ticks whose slot another process had already run. */
  alreadyRan: number;
  failures: number;
  lastDurationMs: number | null;
}

/** Whoever owns a job: its `onStop` hook cancels the job (a ModuleScope fits). */
export interface JobOwner {
  onStop(fn: () => void | Promise<void>): void;
}

export interface ScheduledJob {
  /**
   * Cancels the job: no new run starts (nor a per-guild run's next guild); resolves once the current
   * run (or guild) finished.
   */
  stop(): Promise<void>;
}

/** Wall clock and timers: the real ones, or a test's. */
export interface SchedulerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

export const SYSTEM_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export interface SchedulerOptions {
  database: Database;
  logger: Logger;
  /** Resolves when runs may start (the Discord client is ready). Defaults to at once. */
  ready?: Promise<void>;
  clock?: SchedulerClock;
}

/**
 * Runs periodic jobs. Each job ticks at the boundaries of its period (so every process aims at the
 * same slot), never overlaps itself (a slow run delays the next tick instead of stacking), and
 * survives its own errors. Jobs stop with their owner or with the scheduler.
 */
export class Scheduler {
  private readonly loops = new Map<string, JobLoop>();
  private readonly ready: Promise<void>;

  constructor(private readonly options: SchedulerOptions) {
    this.ready = options.ready ?? Promise.resolve();
  }

  add(job: Job, owner?: JobOwner): ScheduledJob {
    if (this.loops.has(job.name)) throw new Error(`a job named ${job.name} is already scheduled`);
    if (job.name.includes(':')) throw new RangeError(`job ${job.name}: a name holds no ':' (it keys slots)`);
    if (!(job.periodMs > 0)) throw new RangeError(`job ${job.name}: periodMs must be positive`);
    const loop = new JobLoop(job, this.options, () => this.loops.delete(job.name));
    this.loops.set(job.name, loop);
    void this.ready.then(() => loop.start());
    const handle = { stop: () => loop.stop() };
    owner?.onStop(handle.stop);
    return handle;
  }

  /** Names of the jobs scheduled now. */
  get activeJobs(): string[] {
    return [...this.loops.keys()];
  }

  stats(name: string): JobStats | undefined {
    const loop = this.loops.get(name);
    return loop ? { ...loop.stats } : undefined;
  }

  /** Stops every job, each after its current run. */
  async stop(): Promise<void> {
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
  }
}

class JobLoop {
  readonly stats: JobStats = { runs: 0, alreadyRan: 0, failures: 0, lastDurationMs: null };
  private timer: unknown;
  private current: Promise<void> | undefined;
  private stopped = false;
  /** The slot of the latest run: the next run aims at a later one. */
  private lastSlot = -Infinity;
  private readonly clock: SchedulerClock;

  constructor(
    private readonly job: Job,
    private readonly options: SchedulerOptions,
    private readonly onStopped: () => void,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  start(): void {
    if (!this.stopped) this.scheduleNext();
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.timer !== undefined) this.clock.clearTimer(this.timer);
      this.timer = undefined;
      this.onStopped();
    }
    await this.current;
  }

  private scheduleNext(): void {
    const now = this.clock.now();
    const target = Math.max(slotOf(this.job, now), this.lastSlot) + 1;
    this.timer = this.clock.setTimer(() => this.tick(target), target * this.job.periodMs - now);
  }

  /**
   * Runs the slot the timer aimed at. Timers can fire a millisecond before their boundary: reading
   * the slot from the clock then named the previous, already-run slot, and the aimed one never ran.
   * A timer that fires after its slot is over (a blocked event loop) runs the current slot instead.
   */
  private tick(target: number): void {
    this.timer = undefined;
    if (this.stopped) return;
    const slot = Math.max(target, slotOf(this.job, this.clock.now()));
    this.lastSlot = slot;
    this.current = this.runOnce(slot).finally(() => {
      this.current = undefined;
      if (!this.stopped) this.scheduleNext();
    });
  }

  private async runOnce(slot: number): Promise<void> {
    const { logger, database } = this.options;
    const started = performance.now();
    try {
      const outcome = await runJobInSlot(database, this.job, slot, { stopping: () => this.stopped });
      const ms = Math.round(performance.now() - started);
      this.stats.lastDurationMs = ms;
      if (outcome === 'ran') this.stats.runs += 1;
      else this.stats.alreadyRan += 1;
      const level = ms > this.job.periodMs ? 'warn' : 'debug';
      logger[level]({ job: this.job.name, slot, ms, outcome }, 'job finished');
    } catch (error) {
      this.stats.failures += 1;
      const context = { job: this.job.name, slot, ms: Math.round(performance.now() - started) };
      // A per-guild job's failed guilds are reported one by one; its other guilds committed.
      const failures = error instanceof GuildRunsFailed ? error.failures : [{ guildId: undefined, error }];
      for (const { guildId, error: err } of failures) {
        const details = { ...context, ...(guildId ? { guildId } : {}), err };
        if (isDatabaseUnavailable(err)) logger.warn(details, 'job skipped: database unavailable');
        else logger.error(details, 'job failed');
      }
    }
  }
}
