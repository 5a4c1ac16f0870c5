import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, type Queryable } from '../../src/storage/connect.js';
import {
  MAX_NAMED_STATEMENTS,
  preparedName,
  repeatedStatementName,
  StatementNames,
} from '../../src/storage/prepared-statements.js';
import { useTestDatabase } from '../support/db/test-database.js';

/** drizzle wraps the driver's error: PostgreSQL's message is its cause. */
const divisionByZero = (error: unknown) =>
  error instanceof Error && /division by zero/.test(String((error.cause as Error | undefined)?.message));

/** The statements prepared on the connection `db` runs on (pg_prepared_statements is per session). */
async function preparedOn(db: Queryable, marker: string): Promise<{ name: string; statement: string }[]> {
  return rowsOf(
    db,
    sql`SELECT name, statement FROM pg_prepared_statements
        WHERE statement LIKE ${`%${marker}%`} AND statement NOT LIKE '%pg_prepared_statements%'`,
  );
}

describe('statement names', () => {
  it(`stop naming new texts past the limit (${MAX_NAMED_STATEMENTS} per process), and keep naming the known ones`, () => {
    const names = new StatementNames(3);
    names.repeated('SELECT 1 AS known');
    const known = names.repeated('SELECT 1 AS known');
    expect(known).toMatch(/^mrb_/);
    names.repeated('SELECT 2');
    names.prepared('SELECT 3');
    const late = 'SELECT 1 AS late';
    expect([names.repeated(late), names.repeated(late), names.repeated(late)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(names.repeated('SELECT 1 AS known')).toBe(known);
    expect(names.repeated('SELECT 2')).toMatch(/^mrb_/);
    // Named at once, but past the limit not remembered: the same name each time, from the text.
    expect(names.prepared(late)).toBe(names.prepared(late));
    expect(names.repeated(late)).toBeUndefined();
  });

  it('name a text from its second run, the same name every time, and a different text differently', () => {
    const text = 'SELECT $1::int AS naming_test_a';
    expect(repeatedStatementName(text)).toBeUndefined();
    const name = repeatedStatementName(text);
    expect(name).toMatch(/^mrb_[0-9a-f]{24}$/);
    expect(repeatedStatementName(text)).toBe(name);
    expect(preparedName(text)).toBe(name);
    const other = 'SELECT $1::int AS naming_test_b';
    expect(preparedName(other)).toMatch(/^mrb_/);
    expect(preparedName(other)).not.toBe(name);
    // Named at once by preparedName, so its first run through the client is named too.
    expect(repeatedStatementName(other)).toBe(preparedName(other));
  });
});

describe('repeated statements on PostgreSQL', () => {
  const database = useTestDatabase('postgres');

  it('are prepared on the connection from their second run, with the same results', async () => {
    await database.db.transaction(async (tx) => {
      const query = (n: number) =>
        rowsOf<{ n: number }>(tx, sql`SELECT ${n}::int + 1 AS n /* repeat_marker_one */`);
      expect(await query(1)).toEqual([{ n: 2 }]);
      expect(await preparedOn(tx, 'repeat_marker_one')).toEqual([]);
      expect(await query(41)).toEqual([{ n: 42 }]);
      const prepared = await preparedOn(tx, 'repeat_marker_one');
      expect(prepared).toHaveLength(1);
      expect(prepared[0]?.name).toBe(repeatedStatementName(prepared[0]?.statement ?? ''));
      expect(await query(9)).toEqual([{ n: 10 }]);
      expect(await preparedOn(tx, 'repeat_marker_one')).toHaveLength(1);
    });
  });

  it('a statement run once is never prepared', async () => {
    await database.db.transaction(async (tx) => {
      await rowsOf(tx, sql`SELECT ${1}::int AS once_marker`);
      expect(await preparedOn(tx, 'once_marker')).toEqual([]);
    });
  });

  it('a prepared statement that fails reports its error each time, and the connection goes on', async () => {
    const divide = (d: number) => rowsOf<{ q: number }>(database.db, sql`SELECT 10 / ${d}::int AS q`);
    for (let i = 0; i < 3; i++) await expect(divide(0)).rejects.toSatisfy(divisionByZero);
    expect(await divide(5)).toEqual([{ q: 2 }]);
    // A transaction that failed on a prepared statement rolls back, and its statements still run after.
    const insert = (tx: Queryable, d: number) =>
      tx.execute(
        sql`INSERT INTO audit_log (guild_id, actor_id, action) SELECT 'g-prep', 'a', 'x' WHERE 10 / ${d}::int > 0`,
      );
    await expect(
      database.db.transaction(async (tx) => {
        await insert(tx, 1);
        await insert(tx, 0);
      }),
    ).rejects.toSatisfy(divisionByZero);
    await database.db.transaction(async (tx) => {
      await insert(tx, 1);
      await insert(tx, 2);
    });
    const rows = await rowsOf<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE guild_id = 'g-prep'`,
    );
    expect(rows).toEqual([{ n: 2 }]);
  });
});
