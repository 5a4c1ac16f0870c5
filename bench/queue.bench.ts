import { sql } from 'drizzle-orm';
import { connectDatabase, rowsOf, type Database } from '../src/storage/connect.js';
import { migrate } from '../src/storage/migrate.js';
import { takeNextSubmission } from '../src/storage/queue-moves.js';
import { syncFreeScores } from '../src/storage/score-sync.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import { fmt, percentile, report, timed } from './stats.js';

const GUILD = '100000000000000001';
const QUEUED = Number(process.env.BENCH_QUEUED ?? 100_000);
const TAKERS = 8;
const TAKES = Number(process.env.BENCH_TAKES ?? 20_000);

async function seedQueue(database: Database, freeOnly: boolean, count = QUEUED): Promise<void> {
  await database.db.execute(
    sql`TRUNCATE submissions, user_points, free_order, free_order_generations RESTART IDENTITY CASCADE`,
  );
  const tiers = sql.param([
    'skip25',
    'skip20',
    'skip15',
    'skip10',
    'skip5',
    'free',
    'free',
    'free',
    'free',
    'free',
  ]);
  await database.db.execute(sql`
    INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform, tier, skip_amount, score, submitted_at, tier_since)
    SELECT ${GUILD}, (400000000000000000 + g)::text, 'Artist', 'Song ' || g, 'https://soundcloud.com/a/' || g, 'soundcloud',
           ${freeOnly ? sql`'free'` : sql`(${tiers}::text[])[1 + g % 10]`}, 25 + g % 10, g % 997,
           now() - (g % 5000) * interval '1 second', now() - (g % 3000) * interval '1 second'
    FROM generate_series(1, ${count}) g`);
  await database.db.execute(sql`
    INSERT INTO user_points (guild_id, discord_user_id, points)
    SELECT ${GUILD}, (400000000000000000 + g)::text, g % 997 FROM generate_series(1, ${count}) g`);
  await database.db.execute(sql`VACUUM ANALYZE submissions`);
  await database.db.execute(sql`VACUUM ANALYZE user_points`);
}

/** Takes run first and left out of the figures: a bot serves for hours, JIT-compiled and with warm caches. */
const WARM_UP_TAKES = Number(process.env.BENCH_WARM_UP_TAKES ?? 2_000);

async function takeConcurrently(
  database: Database,
  takes: number,
): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  let remaining = takes;
  const taker = async (i: number) => {
    while (remaining-- > 0) {
      const start = performance.now();
      const song = await takeNextSubmission(database.db, GUILD, `60000000000000000${i}`);
      latencies.push(performance.now() - start);
      if (!song) throw new Error('queue ran dry');
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: TAKERS }, (_, i) => taker(i))));
  return { ms, latencies: latencies.sort((a, b) => a - b) };
}

/**
 * Half the mixed queue is in the skip tiers, so its takes never reach Free; the Free-only run
 * measures takes that rank through free_order.
 */
async function benchTakeNext(database: Database, freeOnly: boolean): Promise<void> {
  // Seeded with the warm-up's songs on top, so QUEUED songs wait when the measured takes start.
  await seedQueue(database, freeOnly, QUEUED + WARM_UP_TAKES);
  const warmUp = await takeConcurrently(database, WARM_UP_TAKES);
  const { ms, latencies } = await takeConcurrently(database, TAKES);
  const queue = freeOnly ? 'all in Free' : 'across all tiers';
  report(
    `take-next: ${fmt(QUEUED, 0)} queued ${queue}, ${TAKERS} concurrent takers, ${fmt(TAKES, 0)} takes`,
    [
      [
        `first ${fmt(WARM_UP_TAKES, 0)} takes (warm-up, not counted)`,
        `p50 ${fmt(percentile(warmUp.latencies, 50), 2)} ms, p99 ${fmt(percentile(warmUp.latencies, 99), 2)} ms`,
      ],
      ['throughput', `${fmt((TAKES / ms) * 1000, 0)} takes/s`],
      ['p50', `${fmt(percentile(latencies, 50), 2)} ms`],
      ['p99', `${fmt(percentile(latencies, 99), 2)} ms (target ≤ 10 ms)`],
    ],
  );
}

/**
 * The seed's approach, as a baseline: one read and one write of `submissions.score` per Free
 * submission (the seed ranked Free by that column).
 */
async function naiveScoreLoop(database: Database): Promise<number> {
  const open = await rowsOf<{ id: number; submitter_id: string }>(
    database.db,
    sql`SELECT id, submitter_id FROM submissions WHERE guild_id = ${GUILD} AND tier = 'free'`,
  );
  for (const row of open) {
    const [p] = await rowsOf<{ points: number }>(
      database.db,
      sql`SELECT COALESCE((SELECT points FROM user_points WHERE guild_id = ${GUILD} AND discord_user_id = ${row.submitter_id}), 0)
        + COALESCE((SELECT points FROM tiktok_accounts WHERE guild_id = ${GUILD} AND discord_user_id = ${row.submitter_id}), 0) AS points`,
    );
    await database.db.execute(sql`UPDATE submissions SET score = ${p?.points ?? 0} WHERE id = ${row.id}`);
  }
  return open.length;
}

async function benchScoreSync(database: Database): Promise<void> {
  await seedQueue(database, true);
  const shufflePoints = () =>
    database.db.execute(sql`UPDATE user_points SET points = (points * 7 + 13) % 1009`);
  await shufflePoints();
  const setBased = await timed(() => syncFreeScores(database.db, GUILD));
  // What the 30 s sync meets during a live: a few viewers' points moved, or none.
  await database.db.execute(
    sql`UPDATE user_points SET points = points + 1 WHERE right(discord_user_id, 2)::integer % 20 = 0`,
  );
  const fewChanged = await timed(() => syncFreeScores(database.db, GUILD));
  const noneChanged = await timed(() => syncFreeScores(database.db, GUILD));
  await shufflePoints();
  const naive = await timed(() => naiveScoreLoop(database));
  report(`score sync: ${fmt(QUEUED, 0)} open Free submissions, every score changed`, [
    [
      'set-based (one statement)',
      `${fmt(setBased.ms, 0)} ms, ${fmt(setBased.value, 0)} ranked (target ≤ 1,000 ms)`,
    ],
    [
      'set-based, 5 % of the scores changed',
      `${fmt(fewChanged.ms, 0)} ms, ${fmt(fewChanged.value, 0)} ranked`,
    ],
    ['set-based, no score changed', `${fmt(noneChanged.ms, 0)} ms, ${fmt(noneChanged.value, 0)} ranked`],
    ['naive per-row loop', `${fmt(naive.ms, 0)} ms, ${fmt(naive.value, 0)} rows`],
    ['speed-up', `${fmt(naive.ms / setBased.ms, 1)}× (target ≥ 20×)`],
  ]);
}

export async function runQueueBenchmarks(): Promise<void> {
  const created = await createPostgresDatabase();
  const database = await connectDatabase({ databaseUrl: created.url });
  try {
    await migrate(database);
    await benchTakeNext(database, false);
    await benchTakeNext(database, true);
    await benchScoreSync(database);
  } finally {
    await database.close();
    await created.drop();
  }
}
