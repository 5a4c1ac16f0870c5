/** What to send for a `Range` request header against a file of `size` bytes. */
export type RangeAnswer =
  { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range, as media players send them (`0-`, `500-999`, `-500`). Per RFC 9110 §14.2 a
 * header in another unit is ignored (the whole file is sent), and so is a list of ranges, which we
 * don't serve as multipart. A malformed or reversed `bytes=` range, or one starting past the end,
 * cannot be satisfied (416).
 */
export function parseByteRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const spec = /^\s*bytes\s*=\s*(.*)$/i.exec(header)?.[1];
  if (spec === undefined || spec.includes(',')) return { kind: 'whole' };
  const match = /^(\d*)-(\d*)$/.exec(spec.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'unsatisfiable' };
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}
