import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GuildRunsFailed, type PerGuildJob, type ProcessJob } from '../../src/jobs/job.js';
import { runJobInSlot, slotOf } from '../../src/jobs/job-run.js';
import { rowsOf } from '../../src/storage/connect.js';
import { DRIVER_KINDS, openTestDatabase, type TestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('one run of a job on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.execute(sql`CREATE TABLE IF NOT EXISTS probe_runs (slot bigint NOT NULL)`);
    await database.db.execute(
      sql`CREATE TABLE IF NOT EXISTS probe_guild_runs (guild_id text NOT NULL, slot bigint NOT NULL)`,
    );
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

  function probeJob(
    options: Partial<ProcessJob> & { fail?: boolean; announced?: number[] } = {},
  ): ProcessJob {
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

  const guildRuns = async () =>
    rowsOf<{ guild_id: string; slot: number }>(
      database.db,
      sql`SELECT guild_id, slot FROM probe_guild_runs ORDER BY slot, guild_id`,
    );
  const claims = async () =>
    (await rowsOf<{ job: string }>(database.db, sql`SELECT job FROM job_slots ORDER BY job`)).map(
      (r) => r.job,
    );

  function perGuildProbe(options: { failIn?: string[]; announced?: string[] } = {}): PerGuildJob {
    return {
      name: 'probe',
      periodMs: 1_000,
      runs: 'once-per-guild-per-period',
      guilds: async () => ['a', 'b', 'c'],
      async run({ db, slot, afterCommit }, guildId) {
        await db.execute(sql`INSERT INTO probe_guild_runs (guild_id, slot) VALUES (${guildId}, ${slot})`);
        afterCommit(() => options.announced?.push(guildId));
        if (options.failIn?.includes(guildId)) throw new Error(`probe failed in ${guildId}`);
      },
    };
  }

  it('runs a per-guild job once per guild and slot, claiming each guild under its own key', async () => {
    const announced: string[] = [];
    expect(await runJobInSlot(database, perGuildProbe({ announced }), 41)).toBe('ran');
    expect(await runJobInSlot(database, perGuildProbe({ announced }), 41)).toBe('already-ran');
    expect(await claims()).toEqual(['probe:a', 'probe:b', 'probe:c']);
    expect(await guildRuns()).toEqual(['a', 'b', 'c'].map((guild_id) => ({ guild_id, slot: 41 })));
    expect(announced).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the guild that failed: the others commit, its slot stays free for a retry', async () => {
    const announced: string[] = [];
    const failed = runJobInSlot(database, perGuildProbe({ failIn: ['b'], announced }), 50);
    await expect(failed).rejects.toThrow(GuildRunsFailed);
    await expect(failed).rejects.toMatchObject({
      failures: [{ guildId: 'b', error: expect.objectContaining({ message: 'probe failed in b' }) }],
    });
    expect(await guildRuns()).toEqual(['a', 'c'].map((guild_id) => ({ guild_id, slot: 50 })));
    expect(await claims()).toEqual(['probe:a', 'probe:c']);
    expect(announced).toEqual(['a', 'c']);

    // Another process's tick for the same slot (or this one's retry) does only what is left.
    expect(await runJobInSlot(database, perGuildProbe({ announced }), 50)).toBe('ran');
    expect(await guildRuns()).toEqual(['a', 'b', 'c'].map((guild_id) => ({ guild_id, slot: 50 })));
    expect(announced).toEqual(['a', 'c', 'b']);
  });
});
