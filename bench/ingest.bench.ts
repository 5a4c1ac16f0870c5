import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { DEFAULT_GUILD_SETTINGS } from '../src/domain/guild-settings.js';
import { connectDatabase, type Database } from '../src/storage/connect.js';
import { openLiveSession } from '../src/storage/live-sessions-repo.js';
import { migrate } from '../src/storage/migrate.js';
import type { TikTokEvent, TikTokUser } from '../src/tiktok/events.js';
import { interactionRecord } from '../src/tiktok/ingest/interaction-records.js';
import { IngestPipeline, type IngestPipelineOptions } from '../src/tiktok/ingest/pipeline.js';
import { POSTGRES_INGEST_TUNING } from '../src/features/tiktok/ingest-tuning.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import { fmt, median, report, timed } from './stats.js';

const GUILD = '100000000000000001';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const NAIVE_EVENTS = Number(process.env.BENCH_NAIVE_EVENTS ?? 5_000);
const VIEWERS = 5_000;
/** Interleaved runs of the pipeline and of COPY; the median of each is compared. */
const ROUNDS = 5;

/** A busy LIVE: mostly likes, joins and comments from a few thousand viewers, some gifts. */
function liveEvents(count: number, offset: number): TikTokEvent[] {
  const at = new Date('2026-11-24T20:00:00Z');
  return Array.from({ length: count }, (_, i): TikTokEvent => {
    const n = offset + i;
    const user: TikTokUser = {
      userId: String(6_800_000_000_000_000_000n + BigInt(n % VIEWERS)),
      handle: `viewer${n % VIEWERS}`,
      nickname: 'V',
    };
    const base = {
      msgId: String(7_400_000_000_000_000_000n + BigInt(n)),
      at: new Date(at.getTime() + n),
      user,
    };
    switch (n % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        return { kind: 'like', ...base, count: 1 + (n % 15), total: n };
      case 4:
      case 5:
        return { kind: 'join', ...base };
      case 6:
      case 7:
        return { kind: 'comment', ...base, text: `comment ${n}` };
      case 8:
        return { kind: 'share', ...base };
      default:
        return {
          kind: 'gift',
          ...base,
          giftId: 11046,
          giftName: 'Galaxy',
          diamondCount: 1 + (n % 120),
          repeatCount: 1,
          repeatEnd: false,
          streakable: false,
          groupId: '0',
        };
    }
  });
}

async function reset(database: Database): Promise<number> {
  await database.db.execute(
    sql`TRUNCATE interactions, tiktok_accounts, gift_streaks, live_sessions RESTART IDENTITY CASCADE`,
  );
  const { session } = await openLiveSession(database.db, {
    guildId: GUILD,
    tiktokUsername: 'bench',
    roomId: '1',
    now: new Date(),
  });
  await database.db.execute(sql`VACUUM ANALYZE interactions`);
  return session.id;
}

type Tuning = Pick<IngestPipelineOptions, 'maxBatch' | 'maxBatchUnderLoad' | 'maxInFlight'>;

async function benchPipeline(database: Database, tuning: Tuning): Promise<number> {
  const sessionId = await reset(database);
  const pipeline = new IngestPipeline({
    guildId: GUILD,
    db: database.db,
    loadSettings: async () => DEFAULT_GUILD_SETTINGS,
    onRecorded: async () => {},
    onStreamEnd: async () => false,
    logger: { warn: (d, m) => console.error(m, d), error: (d, m) => console.error(m, d) },
    ...tuning,
    maxBuffered: EVENTS + 1,
  });
  pipeline.sessionId = sessionId;
  const events = liveEvents(EVENTS, 0);
  const { ms } = await timed(async () => {
    // Arriving in pushes of 100 messages, as TikTok batches them, with the loop free in between.
    for (let i = 0; i < events.length; i += 100) {
      for (const event of events.slice(i, i + 100)) pipeline.accept(event);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await pipeline.stop();
  });
  if (pipeline.recordedTotal !== EVENTS) throw new Error(`recorded ${pipeline.recordedTotal} of ${EVENTS}`);
  return (EVENTS / ms) * 1000;
}

/** The baseline: one INSERT per message, no credits at all. */
async function benchNaive(database: Database): Promise<number> {
  const sessionId = await reset(database);
  const events = liveEvents(NAIVE_EVENTS, 0);
  const { ms } = await timed(async () => {
    for (const event of events) {
      if (event.kind === 'streamEnd') continue;
      const r = interactionRecord(event, DEFAULT_GUILD_SETTINGS.points);
      await database.db.execute(
        sql`INSERT INTO interactions (guild_id, session_id, kind, msg_id, tiktok_user_id, amount, points, payload, occurred_at)
            VALUES (${GUILD}, ${sessionId}, ${r.kind}, ${r.msgId}, ${r.tiktokUserId}, ${r.amount}, ${r.points},
              ${JSON.stringify(r.payload)}::jsonb, ${r.occurredAt.toISOString()}::timestamptz)
            ON CONFLICT (guild_id, msg_id) DO NOTHING`,
      );
    }
  });
  return (NAIVE_EVENTS / ms) * 1000;
}

/**
 * The ceiling: COPY of the same rows through psql. psql's own start-up and connection (timed on a
 * `SELECT 1` in the same run, best of three) are subtracted, so the ceiling is not flattered down.
 */
async function benchCopy(database: Database, url: string): Promise<number> {
  const sessionId = await reset(database);
  const csv = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = liveEvents(EVENTS, 0).map((event) => {
    if (event.kind === 'streamEnd') throw new Error('no stream end in the bench live');
    const r = interactionRecord(event, DEFAULT_GUILD_SETTINGS.points);
    return [
      GUILD,
      sessionId,
      r.kind,
      r.msgId,
      r.tiktokUserId ?? '',
      r.amount,
      r.points,
      csv(JSON.stringify(r.payload)),
      r.occurredAt.toISOString(),
    ].join(',');
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-copy-'));
  const file = path.join(dir, 'interactions.csv');
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  try {
    const copy = `\\copy interactions (guild_id, session_id, kind, msg_id, tiktok_user_id, amount, points, payload, occurred_at) FROM '${file}' CSV`;
    const psql = (command: string) =>
      promisify(execFile)('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', command]);
    let startup = Infinity;
    for (let i = 0; i < 3; i++) startup = Math.min(startup, (await timed(() => psql('SELECT 1'))).ms);
    const { ms } = await timed(() => psql(copy));
    return (EVENTS / Math.max(1, ms - startup)) * 1000;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function runIngestBenchmarks(): Promise<void> {
  const created = await createPostgresDatabase();
  const database = await connectDatabase({ databaseUrl: created.url });
  try {
    await migrate(database);
    const serial500 = await benchPipeline(database, { maxBatch: 500 });
    const naive = await benchNaive(database);
    // The pipeline and its COPY ceiling, interleaved and run ROUNDS times: on this noisy machine the
    // COPY figure alone swung 55–93k rows/s between runs, so the ratio takes the median of each.
    const productionRuns: number[] = [];
    const copyRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      productionRuns.push(await benchPipeline(database, POSTGRES_INGEST_TUNING));
      copyRuns.push(await benchCopy(database, created.url));
    }
    const production = median(productionRuns);
    const copy = median(copyRuns);
    const range = (runs: number[]) => `${fmt(Math.min(...runs), 0)}–${fmt(Math.max(...runs), 0)}`;
    const { maxBatch, maxBatchUnderLoad, maxInFlight } = POSTGRES_INGEST_TUNING;
    report(
      `TikTok ingestion: ${fmt(EVENTS, 0)} messages from ${fmt(VIEWERS, 0)} viewers (naive: ${fmt(NAIVE_EVENTS, 0)})`,
      [
        [
          `pipeline as in production (${maxBatch} growing to ${maxBatchUnderLoad}, ${maxInFlight} in flight)`,
          `${fmt(production, 0)} events/s median of ${ROUNDS} (${range(productionRuns)}; accounts, points, coins credited)`,
        ],
        ['pipeline, fixed batches of 500, one at a time', `${fmt(serial500, 0)} events/s`],
        ['naive one INSERT per event', `${fmt(naive, 0)} events/s (no credits)`],
        ['COPY via psql', `${fmt(copy, 0)} events/s median of ${ROUNDS} (${range(copyRuns)}; no credits)`],
        ['production vs naive', `${fmt(production / naive, 1)}× (target ≥ 10×)`],
        ['production vs COPY', `${fmt((production / copy) * 100, 0)} % (target ≥ 50 %)`],
        ['production vs fixed 500', `${fmt(production / serial500, 2)}×`],
      ],
    );
  } finally {
    await database.close();
    await created.drop();
  }
}
