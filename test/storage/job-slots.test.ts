import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { claimJobSlot, JOB_SLOTS_KEPT, pruneJobSlots } from '../../src/storage/job-slots-repo.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('job slots on %s', (kind) => {
  const database = useTestDatabase(kind);
  beforeEach(async () => {
    await database.reset();
  });

  const slotsOf = async (job: string) =>
    (
      await rowsOf<{ slot: number }>(
        database.db,
        sql`SELECT slot FROM job_slots WHERE job = ${job} ORDER BY slot`,
      )
    ).map((r) => r.slot);

  it('lets a slot be claimed once per job', async () => {
    expect(await database.db.transaction((tx) => claimJobSlot(tx, 'backup', 7))).toBe(true);
    expect(await database.db.transaction((tx) => claimJobSlot(tx, 'backup', 7))).toBe(false);
    expect(await database.db.transaction((tx) => claimJobSlot(tx, 'score-sync', 7))).toBe(true);
  });

  it('frees the slot again when the claiming transaction rolls back', async () => {
    const failed = database.db.transaction(async (tx) => {
      await claimJobSlot(tx, 'backup', 8);
      throw new Error('job failed');
    });
    await expect(failed).rejects.toThrow('job failed');
    expect(await database.db.transaction((tx) => claimJobSlot(tx, 'backup', 8))).toBe(true);
  });

  it('prunes claims older than the kept number of periods, of that job only', async () => {
    const current = 1_000;
    for (const slot of [current - JOB_SLOTS_KEPT - 1, current - JOB_SLOTS_KEPT, current]) {
      await claimJobSlot(database.db, 'backup', slot);
      await claimJobSlot(database.db, 'score-sync', slot);
    }
    await pruneJobSlots(database.db, 'backup', current);
    expect(await slotsOf('backup')).toEqual([current - JOB_SLOTS_KEPT, current]);
    expect(await slotsOf('score-sync')).toHaveLength(3);
  });
});
