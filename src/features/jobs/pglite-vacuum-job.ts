import { sql } from 'drizzle-orm';
import type { Job } from '../../jobs/job.js';

export const PGLITE_VACUUM_PERIOD_MS = 10 * 60_000;

/**
 * Embedded PGlite runs no autovacuum. Without one, the tables rewritten all day (every score sync
 * writes a new generation of free_order; points and queue rows are updated in place) grew without
 * bound: 300 Free songs synced 200 times left a 5.6 MB table and a 4.7 MB index. PostgreSQL's own
 * autovacuum does this on a server.
 */
export function pgliteVacuumJob(): Job {
  return {
    name: 'pglite-vacuum',
    periodMs: PGLITE_VACUUM_PERIOD_MS,
    // VACUUM cannot run inside the claiming transaction, and PGlite has one process anyway.
    runs: 'every-process',
    async run({ db }) {
      await db.execute(
        sql`VACUUM free_order, free_order_generations, submissions, user_points, tiktok_accounts`,
      );
    },
  };
}
