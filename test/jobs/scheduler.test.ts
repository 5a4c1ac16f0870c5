import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessJob } from '../../src/jobs/job.js';
import { Scheduler, type JobOwner, type SchedulerClock } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/logging/logger.js';
import { rowsOf } from '../../src/storage/connect.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { until } from '../support/until.js';

let database: TestDatabase;
let scheduler: Scheduler | undefined;
const logger = createLogger('silent');

beforeAll(async () => {
  database = await openTestDatabase('pglite');
});
afterAll(async () => {
  await database?.close();
});
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

function start(ready?: Promise<void>): Scheduler {
  scheduler = new Scheduler({ database, logger, ...(ready ? { ready } : {}) });
  return scheduler;
}

function job(run: ProcessJob['run'], periodMs = 20): ProcessJob {
  return { name: 'probe', periodMs, runs: 'every-process', run };
}

describe('the scheduler', () => {
  it('never stacks a slow run: the next tick waits for the run in progress', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const s = start();
    s.add(
      job(async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(70);
        running -= 1;
        runs += 1;
      }),
    );
    await until('4 runs', () => runs >= 4);
    expect(most).toBe(1);
  });

  it('logs a failed run and keeps running', async () => {
    const outcomes: ('failed' | 'ran')[] = [];
    const s = start();
    s.add(
      job(async () => {
        if (outcomes.length < 2) {
          outcomes.push('failed');
          throw new Error(`run ${outcomes.length} failed`);
        }
        outcomes.push('ran');
      }),
    );
    await until('a run after two failures', () => (s.stats('probe')?.runs ?? 0) >= 1);
    // Read together: at a 20 ms period more runs may follow before the poll sees the first one.
    const stats = s.stats('probe');
    const ran = outcomes.filter((o) => o === 'ran').length;
    expect(outcomes.slice(0, 3)).toEqual(['failed', 'failed', 'ran']);
    expect(stats).toMatchObject({ failures: 2 });
    expect(stats?.runs).toBeGreaterThanOrEqual(1);
    expect(stats?.runs).toBeLessThanOrEqual(ran);
  });

  it('starts no run before the bot is ready', async () => {
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    let runs = 0;
    const s = start(ready);
    s.add(job(async () => void (runs += 1), 10));
    await sleep(100);
    expect(runs).toBe(0);
    markReady();
    await until('a run once ready', () => runs > 0);
  });

  it('stops after the run in progress finished, and starts no other', async () => {
    let release = () => {};
    let started = 0;
    const s = start();
    s.add(
      job(async () => {
        started += 1;
        await new Promise<void>((resolve) => (release = resolve));
      }),
    );
    await until('a run in progress', () => started === 1);
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(s.activeJobs).toEqual([]);
    await sleep(60);
    expect(started).toBe(1);
  });

  it("stops a per-guild job after the guild in progress: the next guild's slot stays unclaimed", async () => {
    let release = () => {};
    const ran: string[] = [];
    const s = start();
    s.add({
      name: 'stopping-probe',
      periodMs: 20,
      runs: 'once-per-guild-per-period',
      guilds: async () => ['a', 'b'],
      async run(_, guildId) {
        ran.push(guildId);
        if (guildId === 'a') await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await until('guild a in progress', () => ran.length === 1);
    const stopping = s.stop();
    release();
    await stopping;
    expect(ran).toEqual(['a']);
    const claims = await rowsOf<{ job: string }>(
      database.db,
      sql`SELECT job FROM job_slots WHERE job LIKE 'stopping-probe:%'`,
    );
    expect(claims).toEqual([{ job: 'stopping-probe:a' }]);
  });

  it('cancels a job when its owner stops', async () => {
    const hooks: (() => void | Promise<void>)[] = [];
    const owner: JobOwner = { onStop: (fn) => void hooks.push(fn) };
    const s = start();
    s.add(
      job(async () => {}),
      owner,
    );
    s.add({ ...job(async () => {}), name: 'other' });
    expect(s.activeJobs).toEqual(['probe', 'other']);
    for (const hook of hooks) await hook();
    expect(s.activeJobs).toEqual(['other']);
  });

  it('runs the slot its timer aimed at, whether the timer fires a little early or late', async () => {
    const period = 60_000;
    const clock = new ManualClock(10 * period + 5_000);
    const slots: number[] = [];
    scheduler = new Scheduler({ database, logger, clock });
    scheduler.add(job(async ({ slot }) => void slots.push(slot), period));
    await until('the first timer', () => clock.pending !== undefined);
    expect(clock.pending?.at).toBe(11 * period);

    // Node timers fire up to about a millisecond before their boundary.
    await clock.fire(11 * period - 1);
    await until('the run of slot 11', () => slots.length === 1);
    expect(slots).toEqual([11]);
    await until('the next timer', () => clock.pending !== undefined);
    expect(clock.pending?.at).toBe(12 * period);

    await clock.fire(12 * period + 40);
    await until('the run of slot 12', () => slots.length === 2);
    await until('the next timer', () => clock.pending !== undefined);
    expect(clock.pending?.at).toBe(13 * period);

    // A timer held up past its whole slot runs the slot now under way, once.
    await clock.fire(14 * period + 10);
    await until('a third run', () => slots.length === 3);
    await until('the next timer', () => clock.pending !== undefined);
    expect(slots).toEqual([11, 12, 14]);
    expect(clock.pending?.at).toBe(15 * period);
  });

  it("logs each server whose part of a per-guild job failed, with the server's id, and runs the others", async () => {
    const lines: { msg: string; guildId?: string; job?: string }[] = [];
    const ran: string[] = [];
    scheduler = new Scheduler({
      database,
      logger: createLogger('error', { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    scheduler.add({
      name: 'per-guild-probe',
      periodMs: 20,
      runs: 'once-per-guild-per-period',
      guilds: async () => ['a', 'b', 'c'],
      async run(_, guildId) {
        if (guildId === 'b') throw new Error('b is down');
        ran.push(guildId);
      },
    });
    await until('a failed run', () => (scheduler?.stats('per-guild-probe')?.failures ?? 0) >= 1);
    expect(ran.slice(0, 2)).toEqual(['a', 'c']);
    expect(lines[0]).toMatchObject({ msg: 'job failed', job: 'per-guild-probe', guildId: 'b' });
  });

  it("refuses a job name with ':' (it separates a per-guild job's name from the guild)", () => {
    expect(() => start().add({ ...job(async () => {}), name: 'score-sync:1' })).toThrow(/holds no ':'/);
  });

  it('refuses two jobs of the same name (their slots would collide)', () => {
    const s = start();
    s.add(job(async () => {}));
    expect(() => s.add(job(async () => {}))).toThrow(/already scheduled/);
  });
});

/** A clock the test moves: one pending timer at a time, fired at the time the test chooses. */
class ManualClock implements SchedulerClock {
  pending: { at: number; fn: () => void } | undefined;
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  setTimer(fn: () => void, ms: number): unknown {
    this.pending = { at: this.time + ms, fn };
    return this.pending;
  }
  clearTimer(): void {
    this.pending = undefined;
  }
  async fire(at: number): Promise<void> {
    const timer = this.pending;
    if (!timer) throw new Error('no timer is pending');
    this.pending = undefined;
    this.time = at;
    timer.fn();
  }
}
