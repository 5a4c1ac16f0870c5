/**
 * The one place where `int8` (bigint) values are normalised. node-postgres returns them as strings,
 * PGlite as numbers (bigint past 2^53). Both drivers are configured to use this parser, so every
 * query gets a plain number. Balances carry CHECK constraints that keep them within 2^53 - 1, and
 * identity ids never get near it, so the conversion is exact.
 */
export function parseInt8(text: string): number {
  return Number(text);
}

export const MAX_SAFE_BALANCE = Number.MAX_SAFE_INTEGER;
