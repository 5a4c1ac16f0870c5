import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueEvents } from '../../src/discord/queue-events.js';
import { sql } from 'drizzle-orm';
import { backupJob } from '../../src/features/jobs/backup-job.js';
import { pgliteVacuumJob } from '../../src/features/jobs/pglite-vacuum-job.js';
import { scoreSyncJob } from '../../src/features/jobs/score-sync-job.js';
import { runJobInSlot } from '../../src/jobs/job-run.js';
import { rowsOf } from '../../src/storage/connect.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import { createLogger } from '../../src/logging/logger.js';
import { userPositions } from '../../src/storage/submissions-repo.js';
import { GUILD, OTHER_GUILD, seedSubmission, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';
import { startQueueChangeFeed } from '../../src/queue-changes/feed.js';
import { recordQueueChanges } from '../support/queue-changes.js';

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
