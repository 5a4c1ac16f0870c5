import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import {
  claimJobSlot,
  guildSlotKey,
  JOB_SLOTS_KEPT,
  pruneJobSlots,
} from '../../src/storage/job-slots-repo.js';
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

  it("prunes a per-guild job's old claims of every guild, and no other job's", async () => {
    const current = 1_000;
    const old = current - JOB_SLOTS_KEPT - 1;
    // Guild 2 has had no work since its old slot: no run of its own would prune it.
    for (const [job, slot] of [
      [guildSlotKey('score-sync', '1'), old],
      [guildSlotKey('score-sync', '1'), current],
      [guildSlotKey('score-sync', '2'), old],
      // Names are matched whole: "score" is not a prefix of "score-sync:<guild>".
      [guildSlotKey('score', '1'), old],
      ['score-sync-old', old],
    ] as const)
      await claimJobSlot(database.db, job, slot);
    await pruneJobSlots(database.db, 'score-sync', current);
    const left = await rowsOf<{ job: string; slot: number }>(
      database.db,
      sql`SELECT job, slot FROM job_slots`,
    );
    expect(left.map((r) => `${r.job} ${r.slot}`).sort()).toEqual(
      [`score-sync-old ${old}`, `score-sync:1 ${current}`, `score:1 ${old}`].sort(),
    );
  });
});
