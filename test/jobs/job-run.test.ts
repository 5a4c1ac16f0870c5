import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.js';
import { runJobInSlot, slotOf } from '../../src/jobs/job-run.js';
import { rowsOf } from '../../src/storage/connect.js';
import { DRIVER_KINDS, openTestDatabase, type TestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('one run of a job on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.execute(sql`CREATE TABLE IF NOT EXISTS probe_runs (slot bigint NOT NULL)`);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
  });

  const probeRuns = async () =>
    (await rowsOf<{ slot: number }>(database.db, sql`SELECT slot FROM probe_runs ORDER BY slot`)).map(
      (r) => r.slot,
    );

  function probeJob(options: Partial<Job> & { fail?: boolean; announced?: number[] } = {}): Job {
    return {
      name: 'probe',
      periodMs: 1_000,
      runs: 'once-per-period',
      async run({ db, slot, afterCommit }) {
        await db.execute(sql`INSERT INTO probe_runs (slot) VALUES (${slot})`);
        afterCommit(() => options.announced?.push(slot));
        if (options.fail) throw new Error('probe failed');
      },
      ...options,
    };
  }

  it('numbers slots by whole periods since the epoch', () => {
    expect(slotOf({ periodMs: 300 }, 299)).toBe(0);
    expect(slotOf({ periodMs: 300 }, 300)).toBe(1);
    expect(slotOf({ periodMs: 30_000 }, Date.UTC(2026, 10, 24, 12, 0, 29))).toBe(
      Date.UTC(2026, 10, 24, 12) / 30_000,
    );
  });

  it('runs a once-per-period job once per slot, its writes committed with the claim', async () => {
    const announced: number[] = [];
    expect(await runJobInSlot(database, probeJob({ announced }), 41)).toBe('ran');
    expect(await runJobInSlot(database, probeJob({ announced }), 41)).toBe('already-ran');
    expect(await runJobInSlot(database, probeJob({ announced }), 42)).toBe('ran');
    expect(await probeRuns()).toEqual([41, 42]);
    expect(announced).toEqual([41, 42]);
  });

  it('rolls a failed run back with its claim, so the slot can still run, and announces nothing', async () => {
    const announced: number[] = [];
    await expect(runJobInSlot(database, probeJob({ fail: true, announced }), 50)).rejects.toThrow(
      'probe failed',
    );
    expect(await probeRuns()).toEqual([]);
    expect(announced).toEqual([]);
    expect(await runJobInSlot(database, probeJob({ announced }), 50)).toBe('ran');
    expect(await probeRuns()).toEqual([50]);
  });

  it('runs an every-process job each time, without claiming', async () => {
    const job = probeJob({ runs: 'every-process' });
    expect(await runJobInSlot(database, job, 60)).toBe('ran');
    expect(await runJobInSlot(database, job, 60)).toBe('ran');
    expect(await probeRuns()).toEqual([60, 60]);
    expect(await rowsOf(database.db, sql`SELECT * FROM job_slots`)).toEqual([]);
  });
});
