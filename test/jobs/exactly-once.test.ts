import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectDatabase, rowsOf, type Database } from '../../src/storage/connect.js';
import { migrate } from '../../src/storage/migrate.js';
import { createPostgresDatabase } from '../support/db/test-database.js';
import { until } from '../support/until.js';

const script = fileURLToPath(new URL('./support/job-process.ts', import.meta.url));
const PERIOD_MS = 300;
const RUN_MS = 120;
const PROCESSES = 3;

interface Worker {
  child: ChildProcess;
  lines: string[];
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
let database: Database;
const workers: Worker[] = [];

beforeAll(async () => {
  created = await createPostgresDatabase();
  database = await connectDatabase({ databaseUrl: created.url });
  await migrate(database);
  await database.db.execute(sql`CREATE TABLE probe_runs (slot bigint NOT NULL, pid integer NOT NULL)`);
});
afterAll(async () => {
  for (const { child } of workers)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await database?.close();
  await created?.drop();
});

function startWorker(): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, created.url, String(PERIOD_MS), String(RUN_MS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const worker: Worker = { child, lines: [], exit: once(child, 'exit') as Worker['exit'] };
  createInterface({ input: child.stdout! }).on('line', (line) => worker.lines.push(line));
  return worker;
}

const runs = () =>
  rowsOf<{ slot: number; pid: number }>(database.db, sql`SELECT slot, pid FROM probe_runs ORDER BY slot`);

test('several processes on one database run each slot exactly once, even when one is killed mid-run', async () => {
  for (let i = 0; i < PROCESSES; i++) workers.push(startWorker());
  await until('every process ready', () => workers.every((w) => w.lines.includes('ready')), 30_000);
  await until('a few slots run', async () => (await runs()).length >= 3, 15_000);

  // Kill whichever process starts the next run, while its transaction is still open.
  const seen = workers.map((w) => w.lines.length);
  let victim: Worker | undefined;
  await until('a run to interrupt', () => {
    victim = workers.find((w, i) => w.lines.slice(seen[i]).some((l) => l.startsWith('running ')));
    return victim !== undefined;
  });
  victim!.child.kill('SIGKILL');
  const killedSlot = Number(victim!.lines.findLast((l) => l.startsWith('running '))!.split(' ')[1]);
  const killedPid = victim!.child.pid;

  await until(
    'the survivors run 5 more slots',
    async () => (await runs()).some((r) => r.slot >= killedSlot + 5),
    15_000,
  );
  const survivors = workers.filter((w) => w !== victim);
  for (const { child } of survivors) child.kill('SIGTERM');
  const exits = await Promise.all(survivors.map((w) => w.exit));

  expect(exits).toEqual(survivors.map(() => [0, null]));
  expect(survivors.every((w) => w.lines.at(-1) === 'stopped')).toBe(true);
  const all = await runs();
  const perSlot = new Map<number, number>();
  for (const { slot } of all) perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
  expect([...perSlot].filter(([, count]) => count > 1)).toEqual([]);
  const taken = all.filter((r) => r.slot === killedSlot);
  expect(taken).toHaveLength(1);
  expect(taken[0]?.pid).not.toBe(killedPid);
  const claims = await rowsOf<{ slot: number }>(database.db, sql`SELECT slot FROM job_slots ORDER BY slot`);
  expect(claims.map((c) => c.slot)).toEqual(all.map((r) => r.slot));
}, 60_000);
