import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';

/**
 * Slots kept per job after pruning. A process whose clock lags more than this many periods could
 * claim a pruned slot again; far beyond any NTP-synchronised clock.
 */
export const JOB_SLOTS_KEPT = 100;

/**
 * Claims `slot` of `job` for the caller's transaction. Returns false when the slot already ran. A
 * concurrent claimer blocks on the unique key until the holder commits (then false) or rolls back
 * or dies (then true): that wait is what makes a slot run exactly once.
 */
export async function claimJobSlot(tx: Queryable, job: string, slot: number): Promise<boolean> {
  const rows = await rowsOf<{ slot: number }>(
    tx,
    sql`INSERT INTO job_slots (job, slot) VALUES (${job}, ${slot}) ON CONFLICT DO NOTHING RETURNING slot`,
  );
  return rows.length > 0;
}

/** The key of one guild's slots of a per-guild job (job names hold no `:`). */
export function guildSlotKey(job: string, guildId: string): string {
  return `${job}:${guildId}`;
}

/**
 * Drops claims older than JOB_SLOTS_KEPT periods, the job's own and its per-guild ones (also of
 * guilds that have had no work since). Runs on its own after the claiming transactions, so a long
 * run never holds locks on old rows that another process's pruning would wait for.
 */
export async function pruneJobSlots(db: Queryable, job: string, currentSlot: number): Promise<void> {
  await db.execute(sql`DELETE FROM job_slots
    WHERE (job = ${job} OR starts_with(job, ${guildSlotKey(job, '')})) AND slot < ${currentSlot - JOB_SLOTS_KEPT}`);
}
