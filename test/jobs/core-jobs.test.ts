import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueEvents } from '../../src/discord/queue-events.js';
import { sql } from 'drizzle-orm';
import { backupJob } from '../../src/features/jobs/backup-job.js';
import { pgliteVacuumJob } from '../../src/features/jobs/pglite-vacuum-job.js';
import { scoreSyncJob } from '../../src/features/jobs/score-sync-job.js';
import { GuildRunsFailed } from '../../src/jobs/job.js';
import { runJobInSlot } from '../../src/jobs/job-run.js';
import { rowsOf, type Queryable } from '../../src/storage/connect.js';
import { freeOrderGate, syncFreeScores } from '../../src/storage/score-sync.js';
import { takeNextSubmission } from '../../src/storage/queue-moves.js';
import { createLogger } from '../../src/logging/logger.js';
import { userPositions } from '../../src/storage/submissions-repo.js';
import {
  GUILD,
  OTHER_GUILD,
  REVIEWER,
  seedSubmission,
  setDiscordPoints,
  userId,
} from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';
import { startQueueChangeFeed } from '../../src/queue-changes/feed.js';
import { recordQueueChanges } from '../support/queue-changes.js';
import { until } from '../support/until.js';

/** Each guild's score-sync slots are claimed under a key of their own. */
const scoreSyncClaims = async (database: { db: Queryable }) =>
  (
    await rowsOf<{ job: string; slot: number }>(
      database.db,
      sql`SELECT job, slot FROM job_slots WHERE job LIKE 'score-sync%' ORDER BY slot, job`,
    )
  ).map((r) => `${r.job} ${r.slot}`);

describe.each(DRIVER_KINDS)('core jobs on %s', (kind) => {
  const database = useTestDatabase(kind);
  beforeEach(async () => {
    await database.reset();
  });

  it('score sync reranks Free of every guild and announces only guilds whose order changed', async () => {
    const moved = await seedSubmission(database.db, { guildId: GUILD, submitter: userId(1) });
    await seedSubmission(database.db, { guildId: OTHER_GUILD, submitter: userId(2) });
    // The queue-change feed a bot process runs: what the views would hear.
    const events = new QueueEvents();
    const stopFeed = await startQueueChangeFeed(database, events, createLogger('silent'));
    const announced = recordQueueChanges(database, events);
    try {
      await announced.settle();
      // The first sync of a guild ranks its songs as a generation of its own.
      expect(await runJobInSlot(database, scoreSyncJob(), 1)).toBe('ran');
      expect((await announced.settle()).sort()).toEqual([GUILD, OTHER_GUILD].sort());

      await setDiscordPoints(database.db, GUILD, userId(1), 40);
      expect(await runJobInSlot(database, scoreSyncJob(), 2)).toBe('ran');

      expect(await userPositions(database.db, GUILD, userId(1))).toMatchObject([{ id: moved, score: 40 }]);
      expect(await announced.settle()).toEqual([GUILD]);
      expect(await runJobInSlot(database, scoreSyncJob(), 2)).toBe('already-ran');
      expect(await runJobInSlot(database, scoreSyncJob(), 3)).toBe('ran');
      expect(await announced.settle()).toEqual([]);
    } finally {
      announced.stop();
      await stopFeed();
    }
  });

  it("score sync goes on past a server whose sync fails, and leaves that server's slot for a retry", async () => {
    const mine = await seedSubmission(database.db, { guildId: GUILD, submitter: userId(1) });
    const theirs = await seedSubmission(database.db, { guildId: OTHER_GUILD, submitter: userId(2) });
    await setDiscordPoints(database.db, GUILD, userId(1), 40);
    await setDiscordPoints(database.db, OTHER_GUILD, userId(2), 30);
    // The other server's sync fails in the database, as the 60 s statement timeout would end it.
    await database.db.execute(sql`CREATE FUNCTION test_sync_fails() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.guild_id = ${sql.raw(`'${OTHER_GUILD}'`)} THEN
          RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = 'query_canceled';
        END IF;
        RETURN NEW;
      END $$`);
    await database.db.execute(sql`CREATE TRIGGER test_sync_fails BEFORE INSERT ON free_order_generations
      FOR EACH ROW EXECUTE FUNCTION test_sync_fails()`);
    try {
      const run = runJobInSlot(database, scoreSyncJob(), 7);
      await expect(run).rejects.toThrow(GuildRunsFailed);
      await expect(run).rejects.toMatchObject({ failures: [{ guildId: OTHER_GUILD }] });
    } finally {
      await database.db.execute(sql`DROP TRIGGER test_sync_fails ON free_order_generations`);
      await database.db.execute(sql`DROP FUNCTION test_sync_fails()`);
    }
    expect(await userPositions(database.db, GUILD, userId(1))).toMatchObject([{ id: mine, score: 40 }]);
    expect(await userPositions(database.db, OTHER_GUILD, userId(2))).toMatchObject([
      { id: theirs, score: 0 },
    ]);
    expect(await scoreSyncClaims(database)).toEqual([`score-sync:${GUILD} 7`]);

    // The retry of the slot (this process's or another's) syncs only the server left over.
    expect(await runJobInSlot(database, scoreSyncJob(), 7)).toBe('ran');
    expect(await userPositions(database.db, OTHER_GUILD, userId(2))).toMatchObject([
      { id: theirs, score: 30 },
    ]);
    expect(await scoreSyncClaims(database)).toEqual([`score-sync:${GUILD} 7`, `score-sync:${OTHER_GUILD} 7`]);
  });

  it('backup writes one file per hour slot into the data dir', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-jobs-'));
    try {
      await setDiscordPoints(database.db, GUILD, userId(1), 12, 340);
      const job = backupJob({ dataDir }, createLogger('silent'));
      expect(await runJobInSlot(database, job, 500)).toBe('ran');
      expect(await runJobInSlot(database, job, 500)).toBe('already-ran');
      const files = await fs.readdir(path.join(dataDir, 'backups'));
      expect(files).toHaveLength(1);
      const body = JSON.parse(await fs.readFile(path.join(dataDir, 'backups', files[0]!), 'utf8'));
      expect(body.userPoints).toHaveLength(1);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

// PGlite has one session: nothing runs beside a transaction, so servers cannot hold each other up there.
describe('score sync on postgres, server by server', () => {
  const database = useTestDatabase('postgres');
  beforeEach(async () => {
    await database.reset();
  });

  it("serves a server's new Free order while another server's sync is still held up", async () => {
    // GUILD syncs first (guilds run in id order); OTHER_GUILD's sync will wait on the test's lock.
    await seedSubmission(database.db, { guildId: GUILD, submitter: userId(1) });
    const climber = await seedSubmission(database.db, { guildId: GUILD, submitter: userId(2) });
    await setDiscordPoints(database.db, GUILD, userId(2), 50);
    await seedSubmission(database.db, { guildId: OTHER_GUILD, submitter: userId(3) });

    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = () => {};
    const held = new Promise<void>((resolve) => (holding = resolve));
    // What a take in the other server holds while it runs: its server's free-order gate, shared.
    const holder = database.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${freeOrderGate(OTHER_GUILD)})`);
      holding();
      await released;
    });
    let run: Promise<unknown> | undefined;
    try {
      await held;
      run = runJobInSlot(database, scoreSyncJob(), 9);
      await until('the other server sync waiting on the gate', async () => {
        const [row] = await rowsOf<{ waiting: number }>(
          database.db,
          sql`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
        );
        return row?.waiting === 1;
      });
      // GUILD's sync committed with its claim; OTHER_GUILD's claim is still in its open transaction.
      expect(await scoreSyncClaims(database)).toEqual([`score-sync:${GUILD} 9`]);
      // A take in GUILD is not held up by the other server, and serves GUILD's new order.
      const taken = await database.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL lock_timeout = '5s'`);
        return takeNextSubmission(tx, GUILD, REVIEWER);
      });
      expect(taken).toMatchObject({ id: climber, servedFrom: 'free' });

      release();
      expect(await run).toBe('ran');
      expect(await scoreSyncClaims(database)).toEqual([
        `score-sync:${GUILD} 9`,
        `score-sync:${OTHER_GUILD} 9`,
      ]);
    } finally {
      release();
      await holder;
      // Settled before the database closes, also when an assertion above failed.
      await run?.catch(() => undefined);
    }
  });
});

describe('PGlite vacuum job', () => {
  const database = useTestDatabase('pglite');
  beforeEach(async () => {
    await database.reset();
  });

  const freeOrderBytes = async () => {
    const [row] = await rowsOf<{ bytes: number }>(
      database.db,
      sql`SELECT pg_relation_size('free_order') + pg_relation_size('free_order_serving') AS bytes`,
    );
    return Number(row?.bytes);
  };

  async function syncWithNewPoints(rounds: number) {
    for (let r = 0; r < rounds; r++) {
      await database.db.execute(sql`UPDATE user_points SET points = points + 1`);
      await syncFreeScores(database.db, GUILD);
    }
  }

  it('reclaims the rows every score sync leaves behind, so free_order stops growing', async () => {
    for (let n = 1; n <= 60; n++) {
      await seedSubmission(database.db, { submitter: userId(n) });
      await setDiscordPoints(database.db, GUILD, userId(n), n);
    }
    // Index pages a vacuum frees are reused from the next cycle on: two cycles reach the steady size.
    for (let cycle = 1; cycle <= 2; cycle++) {
      await syncWithNewPoints(30);
      expect(await runJobInSlot(database, pgliteVacuumJob(), cycle)).toBe('ran');
    }
    const steady = await freeOrderBytes();
    for (let cycle = 3; cycle <= 5; cycle++) {
      await syncWithNewPoints(30);
      await runJobInSlot(database, pgliteVacuumJob(), cycle);
    }
    // Unvacuumed, these 90 syncs of 60 songs add ~900 kB; vacuumed, a page or so.
    expect((await freeOrderBytes()) - steady).toBeLessThanOrEqual(4 * 8192);
  });
});
