import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../src/storage/connect.js';
import { loadMigrations, migrate } from '../../src/storage/migrate.js';
import { GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, openDatabaseBefore } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('migration 0006 on %s', (kind) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('marks the coin split of lives that earned coins before it as unknown, and of the others as 0', async () => {
    database = await openDatabaseBefore(kind, 6);
    const all = await loadMigrations();
    await database.db
      .execute(sql`INSERT INTO live_sessions (guild_id, tiktok_username, coins_awarded, ended_at)
      VALUES (${GUILD}, 'earned', 7, now()), (${GUILD}, 'quiet', 0, NULL)`);
    expect(await migrate(database, all)).toContain(6);
    const rows = await rowsOf<{ tiktok_username: string; gift: number | null; watch: number | null }>(
      database.db,
      sql`SELECT tiktok_username, gift_coins_awarded AS gift, watch_coins_awarded AS watch
          FROM live_sessions ORDER BY id`,
    );
    expect(rows).toEqual([
      { tiktok_username: 'earned', gift: null, watch: null },
      { tiktok_username: 'quiet', gift: 0, watch: 0 },
    ]);
  });
});
