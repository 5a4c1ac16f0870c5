import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tierRank, type Tier } from '../../src/domain/tiers.js';
import { connectDatabase, rowsOf, type Database } from '../../src/storage/connect.js';
import { migrate } from '../../src/storage/migrate.js';
import { takeNextSubmission } from '../../src/storage/queue-moves.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import { GUILD, RELAXED, seedSubmission, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { listQueue, submitSong } from '../../src/storage/submissions-repo.js';
import { createPostgresDatabase, useTestDatabase } from '../support/db/test-database.js';

const SERVING: Tier[] = ['skip25', 'skip20', 'skip15', 'skip10', 'skip5', 'free'];

describe('take-next on real PostgreSQL', () => {
  const database = useTestDatabase('postgres');
  beforeEach(async () => {
    await database.reset();
  });

  describe('concurrent reviewers', () => {
    it('8 takers on 2,000 queued songs take each exactly once, in tier order', async () => {
      const tiers = sql.param(SERVING);
      await database.db.execute(sql`
      INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform, tier, skip_amount, score, submitted_at, tier_since)
      SELECT ${GUILD}, (400000000000000000 + g)::text, 'Artist', 'Song ' || g, 'https://soundcloud.com/a/' || g, 'soundcloud',
             (${tiers}::text[])[1 + (g * 7919) % 6], 25 + g % 10, (g * 31) % 997,
             now() - (g % 500) * interval '1 second', now() - (g % 300) * interval '1 second'
      FROM generate_series(1, 2000) g`);
      await database.db.execute(sql`
      INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform, tier, requested_skip_amount)
      SELECT ${GUILD}, (500000000000000000 + g)::text, 'Artist', 'Pending ' || g, 'https://youtu.be/p' || g, 'youtube', 'pending', 10
      FROM generate_series(1, 50) g`);

      const takenInOrder: number[] = [];
      const taker = async (reviewer: string) => {
        for (;;) {
          const song = await takeNextSubmission(database.db, GUILD, reviewer);
          if (!song) return;
          takenInOrder.push(song.id);
        }
      };
      const rankBefore = new Map(
        (
          await rowsOf<{ id: number; tier: Tier }>(
            database.db,
            sql`SELECT id, tier FROM submissions WHERE guild_id = ${GUILD} AND tier <> 'pending'`,
          )
        ).map((r) => [r.id, tierRank(r.tier)]),
      );
      await Promise.all(Array.from({ length: 8 }, (_, i) => taker(`60000000000000000${i}`)));

      expect(takenInOrder).toHaveLength(2000);
      expect(new Set(takenInOrder).size).toBe(2000);
      const [left] = await rowsOf<{ open: number; pending: number }>(
        database.db,
        sql`SELECT count(*) FILTER (WHERE tier_rank <= 5) AS open, count(*) FILTER (WHERE tier = 'pending') AS pending FROM submissions`,
      );
      expect(left).toEqual({ open: 0, pending: 50 });

      // Served order as the database saw it. With 8 takers a song may be taken a few places early or
      // late (a lower tier only while the head rows are locked by other takers), never across more
      // than the number of takers: everything served 8 or more places later has a rank at least as high.
      const served = await rowsOf<{ id: number }>(
        database.db,
        sql`SELECT id FROM submissions WHERE tier = 'played' ORDER BY played_at, id`,
      );
      const ranks = served.map((r) => rankBefore.get(r.id) ?? -1);
      for (let i = 0; i < ranks.length; i++) {
        const later = ranks.slice(i + 8);
        if (later.length) expect(Math.min(...later)).toBeGreaterThanOrEqual(ranks[i] as number);
      }
      expect(ranks[0]).toBe(0);
      expect(ranks.at(-1)).toBe(tierRank('free'));
    });
  });

  describe('while the score sync rewrites Free', () => {
    /** Three Free songs whose submitters have 10, 20 and 30 points; the last one leads. */
    async function seedThree(): Promise<number[]> {
      const songs = [];
      for (let n = 1; n <= 3; n++) songs.push(await seedSubmission(database.db, { submitter: userId(n) }));
      for (let n = 1; n <= 3; n++) await setDiscordPoints(database.db, GUILD, userId(n), n * 10);
      return songs;
    }

    /**
     * Runs `action` while a sync that ranked `ranked` songs anew keeps its transaction open for
     * 200 ms; resolves with what the action resolved with.
     */
    async function duringSync<T>(ranked: number, action: () => Promise<T>): Promise<T> {
      let syncing: () => void = () => {};
      const synced = new Promise<void>((resolve) => (syncing = resolve));
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const sync = database.db.transaction(async (tx) => {
        const count = await syncFreeScores(tx, GUILD);
        syncing();
        await released;
        return count;
      });
      await synced;
      const acted = action();
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      expect(await sync).toBe(ranked);
      return acted;
    }

    const takeDuringSync = (ranked: number) =>
      duringSync(ranked, () => takeNextForReview(database.db, GUILD, 'reviewer'));

    it('waits for the sync instead of answering that the queue is empty, and serves the new head', async () => {
      const songs = await seedThree();
      // All three scores change: the old generation of Free says the first song leads.
      const taken = await takeDuringSync(3);
      expect(taken?.id).toBe(songs[2]);
      expect(taken?.servedFrom).toBe('free');
    });

    it('does not serve the second song while the sync holds the head', async () => {
      const songs = await seedThree();
      await syncFreeScores(database.db, GUILD);
      // Only the head's score changes, and it stays the head; the sync still ranks all three anew.
      await setDiscordPoints(database.db, GUILD, userId(3), 40);
      expect((await takeDuringSync(3))?.id).toBe(songs[2]);
    });

    it('puts a song submitted meanwhile into the new order, not the one being replaced', async () => {
      await seedThree();
      const { submission } = await duringSync(3, () =>
        submitSong(
          database.db,
          {
            guildId: GUILD,
            submitterId: userId(4),
            artist: 'Artist',
            title: 'Late',
            link: { url: 'https://soundcloud.com/a/late', platform: 'soundcloud' },
            source: 'command',
          },
          RELAXED,
        ),
      );
      const free = await listQueue(database.db, GUILD, { tiers: ['free'], limit: 10 });
      expect(free.entries.map((e) => e.id)).toContain(submission.id);
      expect(free.entries).toHaveLength(4);
    });

    it('still answers null for a queue that is really empty', async () => {
      expect(await takeNextSubmission(database.db, GUILD, 'reviewer')).toBeNull();
    });
  });

  describe('as a prepared statement', () => {
    it('is parsed once per connection and run again by name, inside a transaction too', async () => {
      await database.db.execute(sql`
      INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform)
      SELECT ${GUILD}, (400000000000000000 + g)::text, 'Artist', 'Song ' || g, 'https://soundcloud.com/a/' || g, 'soundcloud'
      FROM generate_series(1, 3) g`);
      const prepared = await database.db.transaction(async (tx) => {
        const taken = [await takeNextSubmission(tx, GUILD, 'r1'), await takeNextSubmission(tx, GUILD, 'r2')];
        expect(taken.map((s) => s?.playedBy)).toEqual(['r1', 'r2']);
        return rowsOf<{ name: string; statement: string }>(
          tx,
          // Other repeated statements are prepared too (src/storage/prepared-statements.ts): take-next's only.
          sql`SELECT name, statement FROM pg_prepared_statements
              WHERE name LIKE 'mrb_%' AND statement LIKE '%SKIP LOCKED%'`,
        );
      });
      expect(prepared).toHaveLength(1);
      expect(prepared[0]?.statement).toMatch(/FOR UPDATE SKIP LOCKED/);
    });
  });
});

describe('migrations started by several processes at once', () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const handles: Database[] = [];
  beforeAll(async () => {
    created = await createPostgresDatabase();
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
    await created?.drop();
  });

  it('applies each migration exactly once under the advisory lock', async () => {
    for (let i = 0; i < 3; i++) handles.push(await connectDatabase({ databaseUrl: created.url }));
    const applied = await Promise.all(handles.map((h) => migrate(h)));
    const all = applied.flat();
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
    expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
  });
});
