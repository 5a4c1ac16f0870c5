/**
 * Raw `sql` results carry timestamps as PostgreSQL text on both drivers (drizzle turns their date
 * parsers off), e.g. `2026-11-24 18:00:00.123456+00`, which `Date` cannot read as is.
 */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value !== 'string') throw new TypeError(`expected a timestamp, got ${typeof value}`);
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new TypeError(`unreadable timestamp: ${value}`);
  return date;
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}
