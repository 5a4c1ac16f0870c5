import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectDatabase, rowsOf, type Database } from '../../src/storage/connect.js';
import { createPostgresDatabase } from '../support/db/test-database.js';
import { until } from '../support/until.js';

describe('node-postgres pool against the real PostgreSQL', () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let database: Database;
  /** A connection outside the pool, to watch the pool's sessions from the server's side. */
  let observer: pg.Client;
  const pool = () => (database.db as unknown as { $client: pg.Pool }).$client;

  beforeEach(async () => {
    // Only the pool's idle timer is faked; sockets and polling run for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    created = await createPostgresDatabase();
    database = await connectDatabase({ databaseUrl: created.url });
    observer = new pg.Client({ connectionString: created.url });
    await observer.connect();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await observer?.end();
    await database?.close();
    await created?.drop();
  });

  async function serverSessions(where: string): Promise<number> {
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${where}`,
    );
    return rows[0]?.n ?? 0;
  }

  it('opens at most 20 connections and queues further queries until one is free', async () => {
    await observer.query('SELECT pg_advisory_lock(4242)');
    const queries = Array.from({ length: 25 }, () =>
      rowsOf(database.db, sql`SELECT pg_advisory_xact_lock_shared(4242)`),
    );
    await until(
      '20 sessions wait on the lock',
      async () => (await serverSessions(`wait_event_type = 'Lock'`)) === 20,
    );
    expect(pool().totalCount).toBe(20);
    expect(pool().waitingCount).toBe(5);
    await observer.query('SELECT pg_advisory_unlock(4242)');
    await Promise.all(queries);
    expect(pool().totalCount).toBe(20);
    expect(pool().waitingCount).toBe(0);
  });

  it('keeps 5 connections open when idle ones time out', async () => {
    await Promise.all(Array.from({ length: 20 }, () => database.db.execute(sql`SELECT 1`)));
    expect(pool().totalCount).toBe(20);
    vi.advanceTimersByTime(30_000);
    expect(pool().totalCount).toBe(5);
    await until('the server has 5 sessions left', async () => (await serverSessions('true')) === 5);
    expect(await rowsOf(database.db, sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it('gives every pooled connection a 60 s statement timeout', async () => {
    const settings = await Promise.all(
      Array.from({ length: 20 }, () =>
        rowsOf<{ statement_timeout: string }>(database.db, sql`SHOW statement_timeout`),
      ),
    );
    expect(pool().totalCount).toBe(20);
    expect(new Set(settings.map(([row]) => row?.statement_timeout))).toEqual(new Set(['1min']));
  });
});

describe('the embedded PGlite', () => {
  it('runs with a 16 MB buffer pool, not PostgreSQL’s 128 MB, and its usual single-user settings', async () => {
    const database = await connectDatabase({});
    try {
      const [buffers] = await rowsOf<{ shared_buffers: string }>(database.db, sql`SHOW shared_buffers`);
      const [search] = await rowsOf<{ search_path: string }>(database.db, sql`SHOW search_path`);
      expect(buffers?.shared_buffers).toBe('16MB');
      expect(search?.search_path).toBe('public');
    } finally {
      await database.close();
    }
  });
});

describe('a new embedded database directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-new-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is created (in a child process) and opened, keeping data across a reopen', async () => {
    const first = await connectDatabase({ pgliteDir: path.join(dir, 'db') });
    await first.db.execute(sql`CREATE TABLE kept (n int)`);
    await first.db.execute(sql`INSERT INTO kept VALUES (7)`);
    const [buffers] = await rowsOf<{ shared_buffers: string }>(first.db, sql`SHOW shared_buffers`);
    expect(buffers?.shared_buffers).toBe('16MB');
    await first.close();
    const again = await connectDatabase({ pgliteDir: path.join(dir, 'db') });
    try {
      expect(await rowsOf<{ n: number }>(again.db, sql`SELECT n FROM kept`)).toEqual([{ n: 7 }]);
    } finally {
      await again.close();
    }
  });

  it('that cannot be created says where and why', async () => {
    // A file where PostgreSQL puts its databases' folder makes the creation fail.
    await fs.mkdir(path.join(dir, 'db'));
    await fs.writeFile(path.join(dir, 'db', 'base'), '');
    await expect(connectDatabase({ pgliteDir: path.join(dir, 'db') })).rejects.toThrow(
      /could not create the embedded database in .*mrb-pglite-new-.*\/db/,
    );
  });
});
