/**
 * One bot process of test/jobs/exactly-once.test.ts (argv: database URL, period ms, run ms, and
 * optionally `per-guild`). Runs a once-per-period job that records its slot and pid in `probe_runs`
 * inside the claiming transaction and prints `running <slot>` mid-run (the parent may SIGKILL it
 * then); or, with `per-guild`, a per-guild job over guilds a, b and c that records guild, slot and
 * pid in `probe_guild_runs` and prints `running <slot> <guild>` mid-guild. On SIGTERM it
 * stops the scheduler, closes the database and must then exit by itself: a timer left behind would
 * keep it alive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Scheduler } from '../../../src/jobs/scheduler.js';
import { createLogger } from '../../../src/logging/logger.js';
import { connectDatabase } from '../../../src/storage/connect.js';

const [url, period, runFor, mode] = process.argv.slice(2);
if (!url || !period || !runFor)
  throw new Error('usage: job-process.ts <database url> <period ms> <run ms> [per-guild]');

const database = await connectDatabase({ databaseUrl: url });
const scheduler = new Scheduler({ database, logger: createLogger('silent') });
if (mode === 'per-guild')
  scheduler.add({
    name: 'exactly-once-guild-probe',
    periodMs: Number(period),
    runs: 'once-per-guild-per-period',
    guilds: async () => ['a', 'b', 'c'],
    async run({ db, slot }, guildId) {
      await db.execute(
        sql`INSERT INTO probe_guild_runs (guild_id, slot, pid) VALUES (${guildId}, ${slot}, ${process.pid})`,
      );
      console.log(`running ${slot} ${guildId}`);
      await sleep(Number(runFor));
    },
  });
else
  scheduler.add({
    name: 'exactly-once-probe',
    periodMs: Number(period),
    runs: 'once-per-period',
    async run({ db, slot }) {
      await db.execute(sql`INSERT INTO probe_runs (slot, pid) VALUES (${slot}, ${process.pid})`);
      console.log(`running ${slot}`);
      await sleep(Number(runFor));
    },
  });
console.log('ready');

process.once('SIGTERM', () => {
  void (async () => {
    await scheduler.stop();
    await database.close();
    console.log('stopped');
  })();
});
