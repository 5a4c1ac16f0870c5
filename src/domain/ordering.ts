import { isOpenTier, tierRank, type Tier } from './tiers.js';

/** A submission as the queue sees it. */
export interface QueueEntry {
  id: number;
  tier: Tier;
  /** What was paid for the skip; only orders 25+ Skip, where amounts differ. */
  skipAmount: number;
  /** Engagement score of the submitter; only orders Free. */
  score: number;
  submittedAt: Date;
  /** When the entry entered its current tier (skip granted, pending requested, played, removed). */
  tierSince: Date;
}

/**
 * The one sort key of the queue. Storage mirrors it column for column: open tiers are ordered by
 * `tier_rank, priority DESC, order_time, id`, and Songs Played / Removed by `order_time DESC` instead,
 * so the most recent history comes first.
 */
export interface QueueSortKey {
  rank: number;
  /** Sorted descending: skipAmount in 25+ Skip, score in Free, 0 elsewhere. */
  priority: number;
  /** Sorted ascending in open tiers, descending in Songs Played and Removed. */
  orderTime: Date;
}

export function queueSortKey(e: QueueEntry): QueueSortKey {
  const priority = e.tier === 'skip25' ? e.skipAmount : e.tier === 'free' ? e.score : 0;
  const orderTime = e.tier === 'free' ? e.submittedAt : e.tierSince;
  if (!Number.isFinite(priority) || Number.isNaN(orderTime.getTime())) {
    throw new RangeError(
      `queue entry ${e.id} has no valid sort key (priority ${priority}, time ${orderTime})`,
    );
  }
  return { rank: tierRank(e.tier), priority, orderTime };
}

/** Negative when `a` is served (or listed) before `b`. A total order when ids are unique. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  const ka = queueSortKey(a);
  const kb = queueSortKey(b);
  if (ka.rank !== kb.rank) return ka.rank - kb.rank;
  if (ka.priority !== kb.priority) return kb.priority - ka.priority;
  const ta = ka.orderTime.getTime();
  const tb = kb.orderTime.getTime();
  if (ta !== tb) return isOpenTier(a.tier) ? ta - tb : tb - ta;
  return a.id - b.id;
}

/** A new array in queue order; the input is left untouched. */
export function sortQueue(entries: readonly QueueEntry[]): QueueEntry[] {
  return [...entries].sort(compareQueueEntries);
}
