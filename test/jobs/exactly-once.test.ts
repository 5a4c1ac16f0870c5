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
/** Every process started, killed at the end whatever happened. */
const started: Worker[] = [];

beforeAll(async () => {
  created = await createPostgresDatabase();
  database = await connectDatabase({ databaseUrl: created.url });
  await migrate(database);
  await database.db.execute(sql`CREATE TABLE probe_runs (slot bigint NOT NULL, pid integer NOT NULL)`);
  await database.db.execute(
    sql`CREATE TABLE probe_guild_runs (guild_id text NOT NULL, slot bigint NOT NULL, pid integer NOT NULL)`,
  );
});
afterAll(async () => {
  for (const { child } of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await database?.close();
  await created?.drop();
});

function startWorker(mode?: 'per-guild'): Worker {
  const runMs = mode ? RUN_MS / 3 : RUN_MS;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, created.url, String(PERIOD_MS), String(runMs), ...(mode ? [mode] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const worker: Worker = { child, lines: [], exit: once(child, 'exit') as Worker['exit'] };
  started.push(worker);
  createInterface({ input: child.stdout! }).on('line', (line) => worker.lines.push(line));
  return worker;
}

const runs = () =>
  rowsOf<{ slot: number; pid: number }>(database.db, sql`SELECT slot, pid FROM probe_runs ORDER BY slot`);

test('several processes on one database run each slot exactly once, even when one is killed mid-run', async () => {
  const workers = Array.from({ length: PROCESSES }, () => startWorker());
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
  const claims = await rowsOf<{ slot: number }>(
    database.db,
    sql`SELECT slot FROM job_slots WHERE job = 'exactly-once-probe' ORDER BY slot`,
  );
  expect(claims.map((c) => c.slot)).toEqual(all.map((r) => r.slot));
}, 60_000);

const guildRuns = () =>
  rowsOf<{ guild_id: string; slot: number; pid: number }>(
    database.db,
    sql`SELECT guild_id, slot, pid FROM probe_guild_runs ORDER BY slot, guild_id`,
  );

test('a process killed in the middle of a per-guild run leaves only the guild it was running to the others', async () => {
  const workers = Array.from({ length: PROCESSES }, () => startWorker('per-guild'));
  await until('every process ready', () => workers.every((w) => w.lines.includes('ready')), 30_000);
  await until('a few slots run', async () => (await guildRuns()).length >= 9, 15_000);

  // Kill a process that ran guild a of a slot and is now running its guild b (b's transaction open).
  const seen = workers.map((w) => w.lines.length);
  let victim: Worker | undefined;
  let killedSlot = 0;
  await until('a run of guild b after guild a to interrupt', () => {
    victim = workers.find((w, i) => {
      const fresh = w.lines.slice(seen[i]);
      const last = fresh.at(-1)?.match(/^running (\d+) b$/);
      if (!last || !fresh.includes(`running ${last[1]} a`)) return false;
      killedSlot = Number(last[1]);
      return true;
    });
    return victim !== undefined;
  });
  victim!.child.kill('SIGKILL');
  const killedPid = victim!.child.pid;

  await until(
    'the survivors run 3 more slots',
    async () => (await guildRuns()).some((r) => r.slot >= killedSlot + 3),
    15_000,
  );
  const survivors = workers.filter((w) => w !== victim);
  for (const { child } of survivors) child.kill('SIGTERM');
  expect(await Promise.all(survivors.map((w) => w.exit))).toEqual(survivors.map(() => [0, null]));

  const all = await guildRuns();
  const perGuildSlot = new Map<string, number>();
  for (const { guild_id, slot } of all) {
    const key = `${guild_id} ${slot}`;
    perGuildSlot.set(key, (perGuildSlot.get(key) ?? 0) + 1);
  }
  expect([...perGuildSlot].filter(([, count]) => count > 1)).toEqual([]);
  // In that slot, the killed process's guild a stays done; guild b was run by another process.
  const killed = all.filter((r) => r.slot === killedSlot);
  expect(killed.map((r) => r.guild_id)).toEqual(['a', 'b', 'c']);
  expect(killed.find((r) => r.guild_id === 'a')?.pid).toBe(killedPid);
  expect(killed.find((r) => r.guild_id === 'b')?.pid).not.toBe(killedPid);
  const claims = await rowsOf<{ job: string; slot: number }>(
    database.db,
    sql`SELECT job, slot FROM job_slots WHERE job LIKE 'exactly-once-guild-probe:%'`,
  );
  expect(claims.map((c) => `${c.job.split(':')[1]} ${c.slot}`).sort()).toEqual(
    all.map((r) => `${r.guild_id} ${r.slot}`).sort(),
  );
}, 60_000);
