/**
 * Per-server job slots: how long a take (`/next`) in server A waits while the score sync of server
 * B is held up 1.5 s (B's free-order gate held by another transaction), with every server synced in
 * one shared transaction (the former job) and with a transaction and slot per server (the job now);
 * and what pruning a per-server job's slots costs when many servers have claimed them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { scoreSyncJob } from '../src/features/jobs/score-sync-job.js';
import { runJobInSlot } from '../src/jobs/job-run.js';
import { connectDatabase, rowsOf, type Database } from '../src/storage/connect.js';
import { guildSlotKey, JOB_SLOTS_KEPT, pruneJobSlots } from '../src/storage/job-slots-repo.js';
import { migrate } from '../src/storage/migrate.js';
import { takeNextSubmission } from '../src/storage/queue-moves.js';
import { freeOrderGate, syncFreeScores } from '../src/storage/score-sync.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import { fmt, report, timed } from './stats.js';

const A = '100000000000000001';
const B = '100000000000000002';
const HELD_MS = 1_500;
const FREE_PER_SERVER = 1_000;
const PRUNE_SERVERS = Number(process.env.BENCH_PRUNE_SERVERS ?? 1_000);

async function seedFree(database: Database): Promise<void> {
  await database.db.execute(
    sql`TRUNCATE submissions, user_points, free_order, free_order_generations, job_slots RESTART IDENTITY CASCADE`,
  );
  for (const guild of [A, B])
    await database.db.execute(sql`
      INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform, tier, score, submitted_at, tier_since)
      SELECT ${guild}, (400000000000000000 + g)::text, 'Artist', 'Song ' || g, 'https://soundcloud.com/a/' || g,
             'soundcloud', 'free', 0, now(), now()
      FROM generate_series(1, ${FREE_PER_SERVER}) g`);
  await database.db.execute(sql`
    INSERT INTO user_points (guild_id, discord_user_id, points)
    SELECT guild_id, submitter_id, 1 + id % 97 FROM submissions`);
}

/** Runs `sync` while B's gate is held HELD_MS; times a take in A started once B's sync waits. */
async function takeInAWhileBHeld(database: Database, sync: () => Promise<unknown>): Promise<number> {
  await seedFree(database);
  const holder = database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${freeOrderGate(B)})`);
    await sleep(HELD_MS);
  });
  await sleep(20);
  const syncing = sync();
  for (;;) {
    const [row] = await rowsOf<{ waiting: number }>(
      database.db,
      sql`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
    );
    if (row?.waiting) break;
    await sleep(2);
  }
  const take = await timed(() => takeNextSubmission(database.db, A, '600000000000000001'));
  await Promise.all([holder, syncing]);
  return take.ms;
}

export async function runJobSlotBenchmarks(): Promise<void> {
  const created = await createPostgresDatabase();
  const database = await connectDatabase({ databaseUrl: created.url });
  try {
    await migrate(database);
    const shared = await takeInAWhileBHeld(database, () =>
      database.db.transaction(async (tx) => {
        for (const guild of [A, B]) await syncFreeScores(tx, guild);
      }),
    );
    const perServer = await takeInAWhileBHeld(database, () => runJobInSlot(database, scoreSyncJob(), 1));
    report(`score sync: a take in server A while server B's sync is held ${fmt(HELD_MS, 0)} ms`, [
      ['all servers in one transaction (before)', `${fmt(shared, 0)} ms`],
      ['a transaction and slot per server (now)', `${fmt(perServer, 1)} ms`],
    ]);

    const current = 1_000_000;
    await database.db.execute(sql`
      INSERT INTO job_slots (job, slot)
      SELECT ${guildSlotKey('score-sync', '')} || s, ${current} - k
      FROM generate_series(1, ${PRUNE_SERVERS}) s, generate_series(0, ${JOB_SLOTS_KEPT + 1}) k`);
    await database.db.execute(sql`VACUUM ANALYZE job_slots`);
    const first = await timed(() => pruneJobSlots(database.db, 'score-sync', current));
    const steady = await timed(() => pruneJobSlots(database.db, 'score-sync', current));
    report(
      `job slots: pruning score-sync with ${fmt(PRUNE_SERVERS, 0)} servers × ${JOB_SLOTS_KEPT} kept slots`,
      [
        ['one period past the kept ones deleted', `${fmt(first.ms, 1)} ms`],
        ['nothing to delete', `${fmt(steady.ms, 1)} ms`],
      ],
    );
  } finally {
    await database.close();
    await created.drop();
  }
}
