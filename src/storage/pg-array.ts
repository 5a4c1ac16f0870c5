/**
 * PostgreSQL array literals built here rather than by node-postgres, for the ingest's large batches:
 * its serializer runs two regular-expression replaces on every element, ~11 % of the ingest's CPU in
 * bench/ingest.bench.ts, although nearly every element (ids, kinds, ISO times) needs no quoting. Those
 * go in bare; anything else is quoted and escaped as array_in expects.
 */
const BARE = /^[0-9A-Za-z_.:+-]+$/;

function element(value: string | null): string {
  if (value === null) return 'NULL';
  // A bare NULL (any case) would be read as a null element.
  if (BARE.test(value) && value.toUpperCase() !== 'NULL') return value;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** A `text[]` literal: pass it as one parameter cast with `::text[]` (or another element type). */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map(element).join(',')}}`;
}

/** An `int8[]` literal of safe integers. */
export function int8ArrayLiteral(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${v}`);
  return `{${values.join(',')}}`;
}
