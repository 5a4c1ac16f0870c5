import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { loadMigrations, migrate, MigrationError } from '../../src/storage/migrate.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('migrations on %s', (kind) => {
  const database = useTestDatabase(kind);

  it('records every migration once and applying them again is a no-op', async () => {
    const all = await loadMigrations();
    const recorded = await rowsOf<{ version: number }>(
      database.db,
      sql`SELECT version FROM schema_migrations ORDER BY version`,
    );
    expect(recorded.map((r) => r.version)).toEqual(all.map((m) => m.version));
    expect(await migrate(database)).toEqual([]);
    const again = await rowsOf<{ n: number }>(database.db, sql`SELECT count(*) AS n FROM schema_migrations`);
    expect(again[0]?.n).toBe(all.length);
  });

  it('returns int8 as a JavaScript number on this driver', async () => {
    const [row] = await rowsOf<{ big: unknown }>(database.db, sql`SELECT 9007199254740991::int8 AS big`);
    expect(row?.big).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const [first, ...rest] = await loadMigrations();
    if (!first) throw new Error('no migrations');
    await expect(migrate(database, [{ ...first, checksum: 'edited' }, ...rest])).rejects.toBeInstanceOf(
      MigrationError,
    );
  });

  it('rolls back a failing migration entirely', async () => {
    const broken = {
      version: 9999,
      name: '9999_broken',
      sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
      checksum: 'x',
    };
    await expect(migrate(database, [...(await loadMigrations()), broken])).rejects.toThrow();
    const tables = await rowsOf<{ n: number }>(
      database.db,
      sql`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'`,
    );
    expect(tables[0]?.n).toBe(0);
    const recorded = await rowsOf<{ n: number }>(
      database.db,
      sql`SELECT count(*) AS n FROM schema_migrations WHERE version = 9999`,
    );
    expect(recorded[0]?.n).toBe(0);
  });
});
