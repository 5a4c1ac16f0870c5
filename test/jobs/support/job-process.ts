/**
 * One bot process of test/jobs/exactly-once.test.ts (argv: database URL, period ms, run ms). Runs a
 * once-per-period job that records its slot and pid in `probe_runs` inside the claiming
 * transaction, prints `running <slot>` mid-run (the parent may SIGKILL it then), and on SIGTERM
 * stops the scheduler, closes the database and must then exit by itself: a timer left behind would
 * keep it alive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Scheduler } from '../../../src/jobs/scheduler.js';
import { createLogger } from '../../../src/logging/logger.js';
import { connectDatabase } from '../../../src/storage/connect.js';

const [url, period, runFor] = process.argv.slice(2);
if (!url || !period || !runFor) throw new Error('usage: job-process.ts <database url> <period ms> <run ms>');

const database = await connectDatabase({ databaseUrl: url });
const scheduler = new Scheduler({ database, logger: createLogger('silent') });
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
