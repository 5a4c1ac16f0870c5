/**
 * A stand-in bot process for bench/lease.bench.ts: holds one server's TikTok LIVE, either by a lease
 * row renewed on a timer (what the bot does) or by a session advisory lock on a dedicated connection
 * (the alternative), and says "held" on stdout. The benchmark kills it with SIGKILL.
 *
 * Usage: tsx bench/lease-holder.ts <lease|advisory> <database url> <guild id> <ttl ms> <renew ms>
 */
import pg from 'pg';
import { connectDatabase } from '../src/storage/connect.js';
import { claimTikTokLeases } from '../src/storage/tiktok-leases-repo.js';

const [mode, url, guildId, ttl, renew] = process.argv.slice(2) as [string, string, string, string, string];

if (mode === 'advisory') {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [guildId]);
  console.log('held');
  setInterval(() => undefined, 60_000);
} else {
  const database = await connectDatabase({ databaseUrl: url });
  const claim = () => claimTikTokLeases(database.db, 'holder', [guildId], Number(ttl));
  if ((await claim()).length === 1) console.log('held');
  setInterval(() => void claim(), Number(renew));
}
