import { sql, type SQL } from 'drizzle-orm';
import { MAX_SAFE_BALANCE } from './int8.js';

/**
 * The upper bound of the balance CHECK constraints (migrations/0001_initial.sql: points and coins
 * BETWEEN 0 AND 9007199254740991, so they stay exact as JavaScript numbers), as an SQL literal.
 * Earnings are added with LEAST(…, cap): a batch that would pass it must still commit, since a
 * rejected batch is retried forever and blocks the guild's ingestion behind it.
 */
export const BALANCE_CAP = sql.raw(`${MAX_SAFE_BALANCE}`);

/**
 * `column + amount`, stopping at the cap, for a live's tallies. A NULL tally (a split recorded before
 * migration 0006) stays NULL: LEAST alone would skip the NULL and turn it into the cap.
 */
export function addToTally(column: string, amount: SQL): SQL {
  const c = sql.identifier(column);
  return sql`CASE WHEN ${c} IS NOT NULL THEN LEAST(${c} + ${amount}, ${BALANCE_CAP}) END`;
}
