import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareQueueEntries, queueSortKey, sortQueue, type QueueEntry } from '../../src/domain/ordering.js';
import { TIERS, tierRank, type Tier } from '../../src/domain/tiers.js';

const T0 = Date.UTC(2025, 0, 1, 20, 0, 0);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

let nextId = 1;
function entry(over: Partial<QueueEntry> & { tier: Tier }): QueueEntry {
  return { id: nextId++, skipAmount: 0, score: 0, submittedAt: at(0), tierSince: at(0), ...over };
}

const ids = (entries: readonly QueueEntry[]): number[] => entries.map((e) => e.id);

describe('queue order', () => {
  it('serves the tiers in the order of TIERS, from 25+ Skip down to Removed', () => {
    const oneOfEach = [...TIERS].reverse().map((tier) => entry({ tier, skipAmount: 25, score: 1000 }));
    expect(sortQueue(oneOfEach).map((e) => e.tier)).toEqual([...TIERS]);
  });

  it('serves a 5 Skip before any Free song, whatever its score', () => {
    const skip = entry({ tier: 'skip5', skipAmount: 5, tierSince: at(100) });
    const free = entry({ tier: 'free', score: 1_000_000, submittedAt: at(0) });
    expect(ids(sortQueue([free, skip]))).toEqual([skip.id, free.id]);
  });

  it('orders 25+ Skip by amount paid, highest first', () => {
    const low = entry({ tier: 'skip25', skipAmount: 25, tierSince: at(0) });
    const high = entry({ tier: 'skip25', skipAmount: 40, tierSince: at(50) });
    expect(ids(sortQueue([low, high]))).toEqual([high.id, low.id]);
  });

  it('orders equal 25+ Skip amounts by who got the skip first', () => {
    const later = entry({ tier: 'skip25', skipAmount: 30, tierSince: at(10), submittedAt: at(0) });
    const earlier = entry({ tier: 'skip25', skipAmount: 30, tierSince: at(5), submittedAt: at(9) });
    expect(ids(sortQueue([later, earlier]))).toEqual([earlier.id, later.id]);
  });

  it('orders the other skip tiers by when the skip was granted, ignoring amount and score', () => {
    const first = entry({ tier: 'skip10', skipAmount: 10, score: 0, tierSince: at(1), submittedAt: at(9) });
    const second = entry({ tier: 'skip10', skipAmount: 14, score: 99, tierSince: at(2), submittedAt: at(0) });
    expect(ids(sortQueue([second, first]))).toEqual([first.id, second.id]);
  });

  it('orders Free by score, highest first', () => {
    const low = entry({ tier: 'free', score: 10, submittedAt: at(0) });
    const high = entry({ tier: 'free', score: 20, submittedAt: at(60) });
    expect(ids(sortQueue([low, high]))).toEqual([high.id, low.id]);
  });

  it('orders equal Free scores by submission time, ignoring when the song entered Free', () => {
    const early = entry({ tier: 'free', score: 5, submittedAt: at(0), tierSince: at(500) });
    const late = entry({ tier: 'free', score: 5, submittedAt: at(30), tierSince: at(1) });
    expect(ids(sortQueue([late, early]))).toEqual([early.id, late.id]);
  });

  it('orders Pending Skips by when the skip was requested', () => {
    const first = entry({ tier: 'pending', tierSince: at(3), submittedAt: at(8) });
    const second = entry({ tier: 'pending', tierSince: at(4), submittedAt: at(1) });
    expect(ids(sortQueue([second, first]))).toEqual([first.id, second.id]);
  });

  it.each(['played', 'removed'] as const)('lists %s with the most recent first', (tier) => {
    const old = entry({ tier, tierSince: at(0) });
    const recent = entry({ tier, tierSince: at(60) });
    expect(ids(sortQueue([old, recent]))).toEqual([recent.id, old.id]);
  });

  it('breaks a full tie by the lower id', () => {
    const a = entry({ tier: 'free', score: 1, id: 7 });
    const b = entry({ tier: 'free', score: 1, id: 3 });
    expect(ids(sortQueue([a, b]))).toEqual([3, 7]);
  });

  it('returns a new array and leaves the input as it was', () => {
    const input = [entry({ tier: 'free' }), entry({ tier: 'skip25', skipAmount: 25 })];
    const before = ids(input);
    const sorted = sortQueue(input);
    expect(sorted).not.toBe(input);
    expect(ids(input)).toEqual(before);
  });

  it('refuses to order an entry with an invalid date', () => {
    expect(() => queueSortKey(entry({ tier: 'pending', tierSince: new Date(Number.NaN) }))).toThrow(
      RangeError,
    );
  });
});

describe('queueSortKey', () => {
  it('uses the amount paid as priority in 25+ Skip and the skip time as order time', () => {
    const e = entry({ tier: 'skip25', skipAmount: 42, score: 7, submittedAt: at(1), tierSince: at(2) });
    expect(queueSortKey(e)).toEqual({ rank: 0, priority: 42, orderTime: at(2) });
  });

  it('uses the score as priority in Free and the submission time as order time', () => {
    const e = entry({ tier: 'free', skipAmount: 10, score: 7, submittedAt: at(1), tierSince: at(2) });
    expect(queueSortKey(e)).toEqual({ rank: 5, priority: 7, orderTime: at(1) });
  });

  it.each(['skip20', 'skip15', 'skip10', 'skip5', 'pending', 'played', 'removed'] as const)(
    'uses no priority in %s and the time it entered the tier as order time',
    (tier) => {
      const e = entry({ tier, skipAmount: 20, score: 7, submittedAt: at(1), tierSince: at(2) });
      expect(queueSortKey(e)).toEqual({ rank: tierRank(tier), priority: 0, orderTime: at(2) });
    },
  );
});

const entryArb = fc.record({
  id: fc.integer({ min: 1, max: 10_000 }),
  tier: fc.constantFrom(...TIERS),
  // Narrow ranges so ties in priority and time are common and the tie-breaks get exercised.
  skipAmount: fc.integer({ min: 25, max: 28 }),
  score: fc.integer({ min: 0, max: 3 }),
  submittedAt: fc.integer({ min: 0, max: 4 }).map(at),
  tierSince: fc.integer({ min: 0, max: 4 }).map(at),
});
const queueArb = fc.uniqueArray(entryArb, { selector: (e) => e.id, maxLength: 40 });

/** The storage query, written independently: tier_rank, priority DESC, order_time (DESC in history), id. */
function sqlOrder(a: QueueEntry, b: QueueEntry): number {
  const ka = queueSortKey(a);
  const kb = queueSortKey(b);
  const history = a.tier === 'played' || a.tier === 'removed';
  const columns: [number, number][] = [
    [ka.rank, kb.rank],
    [kb.priority, ka.priority],
    history
      ? [kb.orderTime.getTime(), ka.orderTime.getTime()]
      : [ka.orderTime.getTime(), kb.orderTime.getTime()],
    [a.id, b.id],
  ];
  for (const [x, y] of columns) if (x !== y) return x < y ? -1 : 1;
  return 0;
}

describe('queue order (properties)', () => {
  it('is a strict total order on entries with distinct ids', () => {
    fc.assert(
      fc.property(queueArb, (queue) => {
        const sorted = sortQueue(queue);
        for (let i = 0; i < sorted.length; i += 1) {
          for (let j = 0; j < sorted.length; j += 1) {
            const a = sorted[i]!;
            const b = sorted[j]!;
            const c = compareQueueEntries(a, b);
            expect(Math.sign(c)).toBe(Math.sign(i - j));
            expect(Math.sign(compareQueueEntries(b, a))).toBe(Math.sign(j - i));
          }
        }
      }),
    );
  });

  it('never lists a lower tier before a higher one', () => {
    fc.assert(
      fc.property(queueArb, (queue) => {
        const ranks = sortQueue(queue).map((e) => tierRank(e.tier));
        expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
      }),
    );
  });

  it('gives the same order whatever order the entries arrive in', () => {
    const arb = queueArb.chain((queue) =>
      fc.tuple(fc.constant(queue), fc.shuffledSubarray(queue, { minLength: queue.length })),
    );
    fc.assert(
      fc.property(arb, ([queue, shuffled]) => {
        expect(ids(sortQueue(shuffled))).toEqual(ids(sortQueue(queue)));
      }),
    );
  });

  it('agrees with the storage ORDER BY on every pair', () => {
    fc.assert(
      fc.property(entryArb, entryArb, (a, b) => {
        expect(Math.sign(compareQueueEntries(a, b))).toBe(sqlOrder(a, b));
      }),
    );
  });
});
