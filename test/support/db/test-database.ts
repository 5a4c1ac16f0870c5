import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, inject } from 'vitest';
import pg from 'pg';
import { connectDatabase, type Database } from '../../../src/storage/connect.js';
import { loadMigrations, migrate } from '../../../src/storage/migrate.js';
import { LOCAL_POSTGRES_URL } from './postgres-server.js';

/**
 * The real PostgreSQL server the suite runs against, as global setup chose it; outside vitest
 * (benchmarks) `TEST_DATABASE_URL` or the local server.
 */
export function testPostgresUrl(): string {
  if (process.env.VITEST) return inject('postgresUrl');
  return process.env.TEST_DATABASE_URL ?? LOCAL_POSTGRES_URL;
}

export type DriverKind = Database['kind'];
/** Storage suites run once per driver: the same code path must hold on both. */
export const DRIVER_KINDS: DriverKind[] = ['postgres', 'pglite'];

export interface TestDatabase extends Database {
  /** Connection URL of the throw-away database (postgres only). */
  url?: string;
  /** Empties every table, keeping the schema. */
  reset(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh, migrated PostgreSQL database; dropped on close. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mrb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const server = testPostgresUrl();
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(server, name),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function openTestDatabase(kind: DriverKind): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const created = await createPostgresDatabase();
    const database = await connectDatabase({ databaseUrl: created.url });
    await migrate(database);
    return {
      ...database,
      url: created.url,
      reset: () => truncateAll(database),
      async close() {
        await database.close();
        await created.drop();
      },
    };
  }
  const database = await connectDatabase({});
  await migrate(database);
  return { ...database, reset: () => truncateAll(database), close: () => database.close() };
}

/** A fresh database with only the migrations before `version` applied, to test an upgrade; close drops it. */
export async function openDatabaseBefore(kind: DriverKind, version: number): Promise<Database> {
  const created = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const database = await connectDatabase(created ? { databaseUrl: created.url } : {});
  await migrate(
    database,
    (await loadMigrations()).filter((m) => m.version < version),
  );
  return {
    ...database,
    async close() {
      await database.close();
      await created?.drop();
    },
  };
}

async function truncateAll(database: Database): Promise<void> {
  const result = (await database.db.execute(
    sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  )) as unknown as { rows: { tablename: string }[] };
  const tables = result.rows.map((r) => `"${r.tablename}"`).join(', ');
  if (tables) await database.db.execute(sql.raw(`TRUNCATE ${tables} RESTART IDENTITY CASCADE`));
}

/**
 * The test file's own database: opened before its first test, closed after its last. The handle
 * can be taken at the top of the file; it reaches the database once `beforeAll` has opened it.
 */
export function useTestDatabase(kind: DriverKind): TestDatabase {
  let opened: TestDatabase | undefined;
  beforeAll(async () => {
    opened = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await opened?.close();
  });
  const current = (): TestDatabase => {
    if (!opened) throw new Error('the test database opens in beforeAll; use it inside hooks and tests');
    return opened;
  };
  return {
    kind,
    get db() {
      return current().db;
    },
    get driver() {
      return current().driver;
    },
    get url() {
      return current().url;
    },
    listen: (channel, handlers) => current().listen(channel, handlers),
    reset: () => current().reset(),
    close: () => current().close(),
  };
}
