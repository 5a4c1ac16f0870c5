/**
 * One owner per TikTok LIVE: how long a server's LIVE stays without an owner after its holder is
 * killed (SIGKILL, no clean-up), for the two ways PostgreSQL can say who holds it:
 * - a lease row with an expiry, renewed every 5 s for 15 s (what the bot does);
 * - a session advisory lock on a dedicated connection, released when PostgreSQL sees it close.
 * The taker polls every 100 ms here; the bot's lease round runs every 5 s, which adds up to 5 s.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectDatabase } from '../src/storage/connect.js';
import { migrate } from '../src/storage/migrate.js';
import { claimTikTokLeases } from '../src/storage/tiktok-leases-repo.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import { fmt, median, report } from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TTL_MS = 15_000;
const RENEW_MS = 5_000;
const TRIALS = Number(process.env.LEASE_TRIALS ?? 3);

async function startHolder(mode: 'lease' | 'advisory', url: string, guildId: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'bench/lease-holder.ts'),
      mode,
      url,
      guildId,
      String(TTL_MS),
      String(RENEW_MS),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('held')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

export async function runLeaseBenchmarks(): Promise<void> {
  const created = await createPostgresDatabase();
  const database = await connectDatabase({ databaseUrl: created.url });
  const taker = new pg.Client({ connectionString: created.url });
  await taker.connect();
  try {
    await migrate(database);
    const results: Record<'lease' | 'advisory', number[]> = { lease: [], advisory: [] };
    for (let trial = 0; trial < TRIALS; trial++) {
      for (const mode of ['advisory', 'lease'] as const) {
        const guildId = `${mode}-${trial}`;
        const holder = await startHolder(mode, created.url, guildId);
        // Kill at a random point of the renewal period, as a crash would.
        await sleep(Math.random() * RENEW_MS);
        const killedAt = performance.now();
        holder.kill('SIGKILL');
        await once(holder, 'exit');
        for (;;) {
          const taken =
            mode === 'advisory'
              ? (
                  await taker.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
                    guildId,
                  ])
                ).rows[0]?.ok
              : (await claimTikTokLeases(database.db, 'taker', [guildId], TTL_MS)).length === 1;
          if (taken) break;
          await sleep(100);
        }
        results[mode].push(performance.now() - killedAt);
      }
    }
    const row = (mode: 'lease' | 'advisory'): [string, string] => [
      mode === 'lease'
        ? `lease row (${TTL_MS / 1000} s, renewed every ${RENEW_MS / 1000} s)`
        : 'advisory lock',
      `median ${fmt(median(results[mode]) / 1000, 2)} s, max ${fmt(Math.max(...results[mode]) / 1000, 2)} s over ${TRIALS} kills`,
    ];
    report('TikTok LIVE without an owner after its holder is killed (SIGKILL)', [
      row('advisory'),
      row('lease'),
    ]);
  } finally {
    await taker.end();
    await database.close();
    await created.drop();
  }
}
