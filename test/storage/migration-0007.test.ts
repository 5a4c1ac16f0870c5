import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/connect.js';
import { loadMigrations, migrate } from '../../src/storage/migrate.js';
import { takeNextSubmission } from '../../src/storage/queue-moves.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { GUILD, REVIEWER, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, openDatabaseBefore } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('migration 0007 on %s', (kind) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('keeps the queue a bot upgraded mid-live had: Free by its last synced scores, skips first', async () => {
    database = await openDatabaseBefore(kind, 7);
    const all = await loadMigrations();
    await database.db.execute(sql`
      INSERT INTO submissions (guild_id, submitter_id, artist, title, link, tier, skip_amount, score, submitted_at)
      VALUES (${GUILD}, ${userId(1)}, 'A', 'low', 'https://soundcloud.com/a/1', 'free', 0, 3, now() - interval '3 minutes'),
             (${GUILD}, ${userId(2)}, 'A', 'skip', 'https://soundcloud.com/a/2', 'skip5', 5, 0, now() - interval '2 minutes'),
             (${GUILD}, ${userId(3)}, 'A', 'high', 'https://soundcloud.com/a/3', 'free', 0, 9, now() - interval '1 minute'),
             (${GUILD}, ${userId(4)}, 'A', 'done', 'https://soundcloud.com/a/4', 'played', 0, 50, now())`);
    expect(await migrate(database, all)).toContain(7);

    const titles = async () =>
      (await listQueue(database!.db, GUILD, { tiers: ['skip5', 'free'] })).entries.map((e) => e.title);
    expect(await titles()).toEqual(['skip', 'high', 'low']);
    await setDiscordPoints(database.db, GUILD, userId(1), 20);
    expect(await syncFreeScores(database.db, GUILD)).toBe(2);
    expect(await titles()).toEqual(['skip', 'low', 'high']);
    const served = [];
    for (
      let s = await takeNextSubmission(database.db, GUILD, REVIEWER);
      s;
      s = await takeNextSubmission(database.db, GUILD, REVIEWER)
    )
      served.push(s.title);
    expect(served).toEqual(['skip', 'low', 'high']);
  });
});
