import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { int8ArrayLiteral, textArrayLiteral } from '../../src/storage/pg-array.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

// Text that array_in treats specially: quotes, backslashes, separators, braces, spaces, NULL spelled
// in any case, the empty string, and characters outside ASCII.
const TRICKY = [
  '',
  'NULL',
  'null',
  'NuLl',
  '"',
  '\\',
  '\\"',
  'a,b',
  '{x}',
  ' padded ',
  'tab\there',
  'line\nbreak',
  'ünïcødé 🎵',
  '7400000000000000001',
  '2026-11-24T20:00:00.000Z',
  '{"text":"hi","handle":"a\\\\b"}',
];

describe.each(DRIVER_KINDS)('array literals read back by PostgreSQL (%s)', (kind) => {
  const database = useTestDatabase(kind);

  const readText = async (values: (string | null)[]) => {
    const rows = await rowsOf<{ v: string | null; n: number }>(
      database.db,
      sql`SELECT v, n::integer AS n FROM unnest(${textArrayLiteral(values)}::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n`,
    );
    return rows.map((r) => r.v);
  };

  it('gives back every text element as it was, nulls included', async () => {
    const values = [...TRICKY, null, 'after-null'];
    expect(await readText(values)).toEqual(values);
  });

  it('gives back any strings, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 12 }),
        async (values) => {
          // PostgreSQL text cannot hold NUL.
          const clean = values.map((v) => (v === null ? null : v.replaceAll('\u0000', '')));
          expect(await readText(clean)).toEqual(clean);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads ISO times as timestamptz', async () => {
    const times = [new Date('2026-11-24T20:00:00.123Z'), new Date('1999-12-31T23:59:59.999Z')];
    const rows = await rowsOf<{ t: string }>(
      database.db,
      sql`SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t
          FROM unnest(${textArrayLiteral(times.map((d) => d.toISOString()))}::timestamptz[]) AS u(t)`,
    );
    expect(rows.map((r) => r.t)).toEqual(times.map((d) => d.toISOString()));
  });

  it('gives back int8 elements, the largest safe integer too', async () => {
    const values = [0, -1, 42, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    const rows = await rowsOf<{ v: string }>(
      database.db,
      sql`SELECT v::text AS v FROM unnest(${int8ArrayLiteral(values)}::int8[]) WITH ORDINALITY AS t(v, n) ORDER BY n`,
    );
    expect(rows.map((r) => Number(r.v))).toEqual(values);
  });
});

describe('int8ArrayLiteral', () => {
  it('refuses what is not a safe integer instead of sending a wrong number', () => {
    expect(() => int8ArrayLiteral([1.5])).toThrow(RangeError);
    expect(() => int8ArrayLiteral([Number.MAX_SAFE_INTEGER + 1])).toThrow(RangeError);
    expect(() => int8ArrayLiteral([Number.NaN])).toThrow(RangeError);
  });

  it('writes an empty array as {}', () => {
    expect(int8ArrayLiteral([])).toBe('{}');
    expect(textArrayLiteral([])).toBe('{}');
  });
});
