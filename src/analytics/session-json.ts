import type { ReviewEntry } from '../storage/review-history-repo.js';
import { reviewJson } from './review-export.js';
import type { SessionSummary, TimelineMinute, ViewerTotals } from './session-metrics.js';

/**
 * The session's JSON document, `{ summary, timeline, reviews, viewers }`, built in pieces so a large
 * session is written viewer chunk by viewer chunk: the opening, each chunk, then the closing.
 */
export function sessionJsonOpening(
  summary: SessionSummary,
  timeline: readonly TimelineMinute[],
  reviews: readonly ReviewEntry[],
): string {
  const indented = (value: unknown) => JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');
  return `{\n  "summary": ${indented(summary)},\n  "timeline": ${indented(timeline)},\n  "reviews": ${indented(reviews.map(reviewJson))},\n  "viewers": [`;
}

/** One chunk of viewers, one object a line; `first` says whether a chunk was written before. */
export function sessionJsonViewers(viewers: readonly ViewerTotals[], first: boolean): string {
  if (viewers.length === 0) return '';
  const lines = viewers.map((v) => `\n    ${JSON.stringify(v)}`).join(',');
  return first ? lines : `,${lines}`;
}

export function sessionJsonClosing(anyViewers: boolean): string {
  return anyViewers ? '\n  ]\n}\n' : ']\n}\n';
}
