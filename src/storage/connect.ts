import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { parseInt8 } from './int8.js';
import { PgListener, type ListenHandlers } from './pg-listener.js';
import { acquireDataDirLock } from './pglite-lock.js';
import { preparedName, PreparingClient } from './prepared-statements.js';
import { DEFAULT_POOL_SIZE, IDLE_POOL_SIZE } from './pool-size.js';
import * as schema from './schema.js';

export type { ListenHandlers } from './pg-listener.js';
export type Schema = typeof schema;
/** The one query surface the repositories use, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** A database handle or an open transaction: repositories accept either. */
export type Queryable = Db | Tx;

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Runs raw SQL that must not go through a transaction wrapper (migrations use it). */
  readonly driver: DriverAccess;
  /**
   * LISTENs on a NOTIFY channel until the returned function is called. PostgreSQL: on a dedicated
   * connection, reconnected after a drop (then `onResync`). PGlite: its one session, in-process.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Low-level access for the migrator: one connection, its own transaction and advisory lock. */
export interface DriverAccess {
  withSession<T>(fn: (session: MigrationSession) => Promise<T>): Promise<T>;
}

export interface MigrationSession {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `fn` in a transaction on this session, with multi-statement `exec` available. */
  transaction(
    fn: (tx: { exec(sql: string): Promise<void>; query: MigrationSession['query'] }) => Promise<void>,
  ): Promise<void>;
}

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  /** PostgreSQL: connections in the pool (default DEFAULT_POOL_SIZE). */
  poolSize?: number | undefined;
  /**
   * PostgreSQL: open every connection of the pool now, in the background, and keep them open (the
   * bot). Otherwise connections open on demand and all but IDLE_POOL_SIZE close after 30 s idle.
   */
  keepPoolFull?: boolean | undefined;
  /** Directory of the embedded database; ignored when databaseUrl is set. Omit for in-memory. */
  pgliteDir?: string | undefined;
  onPoolError?: (error: Error) => void;
}

let int8ParserInstalled = false;

/**
 * node-postgres: drizzle passes its own per-query type parser that falls back to pg's global
 * registry, so int8 must be set there (once per process).
 */
function installPgInt8Parser(): void {
  if (int8ParserInstalled) return;
  pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);
  int8ParserInstalled = true;
}

export async function connectDatabase(options: ConnectOptions): Promise<Database> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, options);
  return connectPglite(options.pgliteDir);
}

/**
 * The bot keeps its pool full from the start. Opened on demand, 50 LIVEs going from idle to 200
 * events/s at once had each process open ~15 connections in the same seconds (a new backend reads
 * its catalogs and plans every statement afresh): in the load benchmark the first 5 s had
 * acknowledgement p99 309–377 ms against 209–243 ms with the pool already open (paired runs).
 */
function connectPostgres(url: string, options: ConnectOptions): Database {
  installPgInt8Parser();
  const size = options.poolSize ?? DEFAULT_POOL_SIZE;
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: url,
    min: options.keepPoolFull ? size : Math.min(IDLE_POOL_SIZE, size),
    max: size,
    statement_timeout: 60_000,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server (restart, network) must not crash the process.
  pool.on('error', (error) => options.onPoolError?.(error));
  if (options.keepPoolFull) fillPool(pool, size);
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    driver: {
      async withSession(fn) {
        const client = await pool.connect();
        try {
          const query = async <R>(text: string, params?: unknown[]) =>
            (await client.query(text, params)).rows as R[];
          return await fn({
            query,
            async transaction(body) {
              await client.query('BEGIN');
              try {
                await body({ exec: async (s) => void (await client.query(s)), query });
                await client.query('COMMIT');
              } catch (error) {
                await client.query('ROLLBACK');
                throw error;
              }
            },
          });
        } finally {
          client.release();
        }
      },
    },
    async listen(channel, handlers) {
      const listener = new PgListener({ connectionString: url, channel, ...handlers });
      await listener.start();
      return () => listener.stop();
    },
    close: () => pool.end(),
  };
}

/**
 * Opens the pool's connections, all at once, and returns them to it. One that fails opens later on
 * demand, where its error reaches the query that needed it (a server that is down fails the
 * migrations at start with one clear message, not twenty).
 */
function fillPool(pool: pg.Pool, size: number): void {
  for (let i = 0; i < size; i++) {
    pool.connect().then(
      (client) => client.release(),
      () => {},
    );
  }
}

/**
 * PGlite's own start parameters plus a smaller buffer pool. Its default shared_buffers is
 * PostgreSQL's 128 MB, allocated in the WebAssembly heap, which never shrinks. Measured with a
 * 10k-song queue (bench/footprint.bench.ts): the restarted bot at 390–406 MB RSS on 128 MB, 254–260 MB
 * on 16 MB; during a LIVE 410–463 MB against 262–290 MB. Score syncs, take-next, a 100k-event ingest
 * and session summaries ran no slower (the ingest faster): pages past the pool come from the OS cache.
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Creates a new PGlite cluster in a short-lived child process. Creating one (initdb inside the
 * WebAssembly module) leaves ~170 MB of native memory in the process that garbage collection never
 * returns: the bot measured 545–625 MB RSS after its very first start against 254–260 MB after a
 * restart (bench/footprint.bench.ts). Opening an existing cluster costs well under a second.
 */
async function createPgliteCluster(dir: string): Promise<void> {
  const script = [
    'const [url, dir, ...startParams] = process.argv.slice(1);',
    'const { PGlite } = await import(url);',
    'const db = await PGlite.create({ dataDir: dir, startParams });',
    'await db.close();',
  ].join('\n');
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      script,
      import.meta.resolve('@electric-sql/pglite'),
      dir,
      ...PGLITE_START_PARAMS,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0)
    throw new Error(`could not create the embedded database in ${dir}: ${stderr.trim() || `exit ${code}`}`);
}

async function connectPglite(dir: string | undefined): Promise<Database> {
  const release = dir ? acquireDataDirLock(path.resolve(dir)) : () => {};
  let client: PGlite;
  try {
    if (dir && !existsSync(path.join(dir, 'PG_VERSION'))) await createPgliteCluster(path.resolve(dir));
    client = await PGlite.create({
      dataDir: dir,
      parsers: { 20: parseInt8 },
      startParams: PGLITE_START_PARAMS,
    });
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    driver: {
      // PGlite is one session; its transaction() owns the database meanwhile. Never send BEGIN.
      withSession: (fn) =>
        fn({
          query: async <R>(text: string, params?: unknown[]) => (await client.query<R>(text, params)).rows,
          async transaction(body) {
            await client.transaction(async (tx) => {
              await body({
                exec: async (s) => void (await tx.exec(s)),
                query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows,
              });
            });
          },
        }),
    },
    async listen(channel, handlers) {
      const unlisten = await client.listen(channel, (payload) => {
        if (payload) handlers.onPayload(payload);
      });
      handlers.onListening?.();
      return () => unlisten();
    },
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/** Rows of a raw `sql` query, on either driver. */
export async function rowsOf<R>(db: Queryable, query: SQL): Promise<R[]> {
  const result = (await db.execute(query)) as unknown as { rows: R[] };
  return result.rows;
}

const dialect = new PgDialect();

/**
 * Rows of a hot raw query, run on PostgreSQL as a named prepared statement: each connection parses
 * and plans it once instead of on every call (take-next's planning cost as much as its execution).
 * The name is derived from the text, so two queries can never share one. On node-postgres it goes
 * straight to the pool or the transaction's client: drizzle's per-query wrapping was a third of the
 * bot's CPU per take. PGlite has no named statements; it runs the query as `rowsOf` does.
 */
export async function preparedRowsOf<R>(db: Queryable, query: SQL): Promise<R[]> {
  const compiled = dialect.sqlToQuery(query);
  // drizzle's node-postgres session holds the Pool, or inside a transaction its PoolClient.
  const client = (db._.session as unknown as { client?: unknown }).client;
  if (client instanceof pg.Pool || client instanceof pg.Client) {
    const config = { name: preparedName(compiled.sql), text: compiled.sql, values: compiled.params };
    return (await client.query(config)).rows as R[];
  }
  return rowsOf<R>(db, query);
}
