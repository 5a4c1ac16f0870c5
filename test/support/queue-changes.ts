import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { ModuleFactory } from '../../src/discord/module.js';
import type { QueueEvents } from '../../src/discord/queue-events.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { QUEUE_CHANGED_CHANNEL } from '../../src/queue-changes/feed.js';
import type { Database } from '../../src/storage/connect.js';
import { LISTENER_APPLICATION_NAME } from '../../src/storage/pg-listener.js';
import { seedSubmission } from './db/fixtures.js';
import { until } from './until.js';

/** What `seedSubmission` takes besides the server and the submitter. */
export type SeedOptions = Omit<NonNullable<Parameters<typeof seedSubmission>[1]>, 'guildId' | 'submitter'>;

let barriers = 0;

/**
 * The feature modules without the periodic jobs, for tests that count the queue changes a command
 * makes: the score sync's tick (every 30 s on the wall clock) ranks a new Free song into a generation
 * of its own, a change of its own at a random moment.
 */
export const MODULES_WITHOUT_JOBS: ReadonlyMap<string, ModuleFactory> = new Map(
  [...FEATURE_MODULES].filter(([name]) => name !== 'jobs'),
);

/**
 * Records the queue changes a bot hears (guild ids, in order). Notifications arrive after commit,
 * asynchronously: `settle()` notifies a barrier through the database and waits for it, so every change
 * committed before the call has been heard when it resolves.
 */
export function recordQueueChanges(database: Database, queueEvents: QueueEvents) {
  const heard: string[] = [];
  const waiting = new Map<string, () => void>();
  const stop = queueEvents.onChanged((guildId) => {
    const release = waiting.get(guildId);
    if (release) {
      waiting.delete(guildId);
      release();
    } else heard.push(guildId);
  });
  const recorder = {
    heard,
    stop,
    /** Waits until every change committed so far is heard, then returns (and forgets) them. */
    async settle(): Promise<string[]> {
      const barrier = `barrier-${process.pid}-${++barriers}`;
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('queue change barrier not heard in 10 s')), 10_000);
        waiting.set(barrier, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await database.db.execute(sql`SELECT pg_notify(${QUEUE_CHANGED_CHANNEL}, ${barrier})`);
      await arrived;
      return heard.splice(0);
    },
    /** Seeds a song and waits until its change is heard, then forgets it: the test acts from quiet. */
    async seedHeard(guildId: string, submitter: string, options: SeedOptions = {}): Promise<number> {
      const id = await seedSubmission(database.db, { guildId, submitter, ...options });
      await recorder.settle();
      return id;
    },
  };
  return recorder;
}

/**
 * Cuts the queue-change listener's connection from the server side (PostgreSQL only), as a network
 * drop or a server restart would; `reconnected()` waits until one new listening connection is up.
 */
export async function cutQueueListener(admin: pg.Client): Promise<{ reconnected(): Promise<void> }> {
  const listeners = async () =>
    (
      await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
        [LISTENER_APPLICATION_NAME],
      )
    ).rows.map((r) => r.pid);
  const [first] = await listeners();
  await admin.query('SELECT pg_terminate_backend($1)', [first]);
  return {
    async reconnected() {
      await until('a new listening connection', async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== first;
      });
    },
  };
}
