import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, rowsOf, type Database } from '../../src/storage/connect.js';
import { loadMigrations, migrate } from '../../src/storage/migrate.js';
import { GUILD } from '../support/db/fixtures.js';
import { createPostgresDatabase, DRIVER_KINDS } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('migration 0006 on %s', (kind) => {
  let database: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await database?.close();
    await drop?.();
    database = undefined;
    drop = undefined;
  });

  it('marks the coin split of lives that earned coins before it as unknown, and of the others as 0', async () => {
    if (kind === 'postgres') {
      const created = await createPostgresDatabase();
      drop = () => created.drop();
      database = await connectDatabase({ databaseUrl: created.url });
    } else {
      database = await connectDatabase({});
    }
    const all = await loadMigrations();
    await migrate(
      database,
      all.filter((m) => m.version < 6),
    );
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
