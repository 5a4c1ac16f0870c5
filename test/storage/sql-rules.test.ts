import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { convertWithCarry, type ConversionRate } from '../../src/domain/coins.js';
import { INTERACTION_KINDS } from '../../src/domain/interactions.js';
import { scoreOf } from '../../src/domain/points.js';
import {
  CLOSED_TIERS,
  isOpenTier,
  isSkipTier,
  SKIP_TIERS,
  tierRank,
  TIERS,
  type Tier,
} from '../../src/domain/tiers.js';
import { rowsOf } from '../../src/storage/connect.js';
import {
  carriedUnits,
  carryOf,
  coinsOf,
  inFree,
  inOpenTiers,
  inSkipTiers,
  inTiers,
  memberScore,
} from '../../src/storage/sql-rules.js';
import { GUILD, seedSubmission } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const dialect = new PgDialect();
/** A fragment as PostgreSQL prints an index predicate back: in parentheses. */
const printed = (fragment: SQL) => `(${dialect.sqlToQuery(fragment).sql})`;

/** The quoted values a CHECK (column IN (...)) lists, as pg_get_constraintdef prints them. */
function listedValues(definition: string): string[] {
  return [...definition.matchAll(/'([^']*)'::text/g)].map((m) => m[1] ?? '');
}

describe.each(DRIVER_KINDS)('rules written in SQL agree with src/domain on %s', (kind) => {
  const database = useTestDatabase(kind);

  it('tier_rank is the place in TIERS, and the tier fragments pick the tiers the domain does', async () => {
    for (const tier of TIERS) await seedSubmission(database.db, { tier });
    const rows = await rowsOf<{ tier: Tier; tier_rank: number; skip: boolean; free: boolean; open: boolean }>(
      database.db,
      sql`SELECT s.tier, s.tier_rank, ${inSkipTiers('s.tier_rank')} AS skip, ${inFree('s.tier_rank')} AS free,
            ${inOpenTiers('s.tier_rank')} AS open
          FROM submissions s WHERE s.guild_id = ${GUILD} ORDER BY s.tier_rank`,
    );
    expect(rows.map((r) => ({ ...r, tier_rank: Number(r.tier_rank) }))).toEqual(
      TIERS.map((tier) => ({
        tier,
        tier_rank: tierRank(tier),
        skip: isSkipTier(tier),
        free: tier === 'free',
        open: isOpenTier(tier),
      })),
    );
  });

  it('the partial indexes on tier_rank (migrations 0001, 0007) cover the tiers the domain names', async () => {
    const rows = await rowsOf<{ name: string; predicate: string }>(
      database.db,
      sql`SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = 'submissions'::regclass AND i.indpred IS NOT NULL`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.predicate]))).toEqual({
      submissions_serving: printed(inSkipTiers()),
      submissions_free: printed(inFree()),
      submissions_pending: printed(inTiers(['pending'])),
      submissions_open_link: `(${printed(inOpenTiers())} AND (link IS NOT NULL))`,
      submissions_history: printed(inTiers(CLOSED_TIERS)),
    });
  });

  it('the CHECK constraints of migration 0001 allow exactly the tiers and interaction kinds of the domain', async () => {
    const rows = await rowsOf<{ tbl: string; definition: string }>(
      database.db,
      sql`SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS definition FROM pg_constraint
          WHERE contype = 'c' AND conrelid IN ('submissions'::regclass, 'skip_credits'::regclass, 'interactions'::regclass)
            AND pg_get_constraintdef(oid) LIKE '%::text%'`,
    );
    const allowed = Object.fromEntries(rows.map((r) => [r.tbl, listedValues(r.definition).sort()]));
    expect(allowed).toEqual({
      submissions: [...TIERS].sort(),
      skip_credits: [...SKIP_TIERS].sort(),
      interactions: [...INTERACTION_KINDS].sort(),
    });
  });

  it.each([
    [null, null],
    [0, 0],
    [12, null],
    [null, 7],
    [3, 4],
    [Number.MAX_SAFE_INTEGER - 5, 5],
  ])('memberScore(%s, %s) is scoreOf, a missing balance counting 0', async (discord, tiktok) => {
    const [row] = await rowsOf<{ score: unknown }>(
      database.db,
      sql`SELECT ${memberScore(sql`${discord}::bigint`, sql`${tiktok}::bigint`)} AS score`,
    );
    expect(Number(row?.score)).toBe(scoreOf(discord ?? 0, tiktok ?? 0));
  });

  const gift: ConversionRate = { coins: 2, per: 100 };
  const watch: ConversionRate = { coins: 1, per: 30 };
  it.each<[number, number, ConversionRate]>([
    [0, 0, gift],
    [50, 0, gift],
    [30, 0, gift],
    [30, 60, gift],
    [1500, 99, gift],
    [1, 0, watch],
    [1, 29, watch],
    [7, 0, { coins: 0, per: 5 }],
    [9, 0, { coins: 3, per: 1 }],
    [2 ** 40 + 3, 6, { coins: 3, per: 7 }],
  ])('%s units on a carry of %s at %o convert as convertWithCarry does', async (amount, carry, rate) => {
    const units = carriedUnits(sql`${carry}::integer`, sql`${amount}::bigint`, rate);
    const [row] = await rowsOf<{ coins: unknown; carry: unknown }>(
      database.db,
      sql`SELECT ${coinsOf(sql`x.u`, rate)} AS coins, ${carryOf(sql`x.u`, rate)} AS carry FROM (SELECT ${units} AS u) x`,
    );
    expect({ coins: Number(row?.coins), carryUnits: Number(row?.carry) }).toEqual(
      convertWithCarry(amount, carry, rate),
    );
  });
});
