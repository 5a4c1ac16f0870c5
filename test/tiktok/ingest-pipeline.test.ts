import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SETTINGS } from '../../src/domain/guild-settings.js';
import { pointsFor } from '../../src/domain/points.js';
import { rowsOf } from '../../src/storage/connect.js';
import type { TikTokEvent } from '../../src/tiktok/events.js';
import { IngestPipeline, type IngestPipelineOptions } from '../../src/tiktok/ingest/pipeline.js';
import { WriteSlots } from '../../src/tiktok/ingest/write-slots.js';
import { GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

/** The pipeline under load: batches that grow with a backlog, and two batches written at once. */

const T0 = new Date('2026-11-24T20:00:00.000Z');
const VIEWERS = 7;

function likes(count: number, from = 0): TikTokEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const userId = String(6_800_000_000_000_000_000n + BigInt(n % VIEWERS));
    return {
      kind: 'like',
      msgId: String(7_460_000_000_000_000_000n + BigInt(n)),
      at: new Date(T0.getTime() + n),
      user: { userId, handle: `viewer${n % VIEWERS}`, nickname: 'V' },
      count: 1 + (n % 5),
      total: n,
    };
  });
}

const streamEnd = (n: number): TikTokEvent => ({
  kind: 'streamEnd',
  msgId: String(7_469_000_000_000_000_000n + BigInt(n)),
  at: T0,
  action: 3,
});

describe.each(DRIVER_KINDS)('ingest pipeline on %s', (kind) => {
  const database = useTestDatabase(kind);
  beforeEach(async () => {
    await database.reset();
  });

  function pipeline(options: Partial<IngestPipelineOptions> = {}) {
    return new IngestPipeline({
      guildId: GUILD,
      db: database.db,
      loadSettings: async () => DEFAULT_GUILD_SETTINGS,
      onRecorded: async () => {},
      onStreamEnd: async () => false,
      logger: { warn() {}, error() {} },
      maxBatch: 50,
      maxBatchUnderLoad: 200,
      maxInFlight: 2,
      ...options,
    });
  }

  /** The first batch's settings arrive late, so the second batch commits before the first. */
  function firstBatchSlow(): Pick<IngestPipelineOptions, 'loadSettings'> {
    let calls = 0;
    return {
      loadSettings: async () => {
        if (calls++ === 0) await sleep(300);
        return DEFAULT_GUILD_SETTINGS;
      },
    };
  }

  it('grows its batches while a backlog waits, and returns to maxBatch once caught up', async () => {
    const sizes: number[] = [];
    const p = pipeline({ onRecorded: async (r) => void sizes.push(r.recorded.length) });
    for (const event of likes(1000)) p.accept(event);
    await p.stop();
    expect(sizes[0]).toBe(50);
    expect(Math.max(...sizes)).toBe(200);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(p.batchSize).toBe(50);
  });

  it('credits a backlog written two batches at a time exactly as the events add up', async () => {
    const events = likes(1000);
    const p = pipeline(firstBatchSlow());
    for (const event of events) p.accept(event);
    await p.stop();
    const expected = new Map<string, number>();
    for (const e of events) {
      if (e.kind !== 'like') continue;
      const points = pointsFor('like', e.count, DEFAULT_GUILD_SETTINGS.points);
      expected.set(e.user.userId, (expected.get(e.user.userId) ?? 0) + points);
    }
    const accounts = await rowsOf<{ tiktok_user_id: string; points: number }>(
      database.db,
      sql`SELECT tiktok_user_id, points FROM tiktok_accounts ORDER BY tiktok_user_id`,
    );
    expect(accounts).toEqual(
      [...expected]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, points]) => ({ tiktok_user_id: id, points })),
    );
    expect(p.recordedTotal).toBe(1000);
  });

  it('runs side effects in arrival order even when a later batch commits first', async () => {
    const events = likes(300);
    const seen: string[] = [];
    const p = pipeline({
      ...firstBatchSlow(),
      onRecorded: async (r) => void seen.push(...r.recorded.map((i) => i.msgId)),
    });
    for (const event of events) p.accept(event);
    await p.stop();
    expect(seen).toEqual(events.map((e) => e.msgId));
    // The premise: the first message (first batch) got its row after the second batch's rows.
    const [order] = await rowsOf<{ first_after_second: boolean }>(
      database.db,
      sql`SELECT (SELECT id FROM interactions WHERE msg_id = ${events[0]!.msgId}) >
                 (SELECT id FROM interactions WHERE msg_id = ${events[50]!.msgId}) AS first_after_second`,
    );
    expect(order?.first_after_second).toBe(true);
  });

  it('ends the stream only once every batch before it is committed', async () => {
    const counts: number[] = [];
    const p = pipeline({
      ...firstBatchSlow(),
      onStreamEnd: async () => {
        const [row] = await rowsOf<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM interactions`,
        );
        counts.push(row?.n ?? -1);
        return true;
      },
    });
    for (const event of [...likes(120), streamEnd(0), ...likes(30, 120)]) p.accept(event);
    await p.stop();
    expect(counts).toEqual([120]);
    expect(p.recordedTotal).toBe(150);
  });

  it('shares a process-wide bound on batches written at once between guilds, and records everything', async () => {
    const slots = new WriteSlots(1);
    let writing = 0;
    let most = 0;
    let waited = 0;
    const guilds = [GUILD, `${GUILD.slice(0, -1)}9`];
    const pipelines = guilds.map((guildId) =>
      pipeline({
        guildId,
        writeSlots: slots,
        // Runs inside the slot: while one guild's batch is held here, the other's must wait.
        loadSettings: async () => {
          writing += 1;
          most = Math.max(most, writing);
          waited = Math.max(waited, slots.waiting);
          await sleep(20);
          writing -= 1;
          return DEFAULT_GUILD_SETTINGS;
        },
      }),
    );
    for (const p of pipelines) for (const event of likes(300)) p.accept(event);
    await Promise.all(pipelines.map((p) => p.stop()));
    expect(most).toBe(1);
    expect(waited).toBeGreaterThan(0);
    const counts = await rowsOf<{ guild_id: string; n: number }>(
      database.db,
      sql`SELECT guild_id, count(*)::int AS n FROM interactions GROUP BY guild_id ORDER BY guild_id`,
    );
    expect(counts).toEqual([...guilds].sort().map((guild_id) => ({ guild_id, n: 300 })));
  });
});
