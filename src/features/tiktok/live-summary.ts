import { userText } from '../../discord/replies.js';
import { formatScore } from '../../domain/ratings.js';
import type { SessionSummary } from '../../storage/live-sessions-repo.js';
import type { ReviewTotals } from '../../storage/review-history-repo.js';

const n = (value: number) => value.toLocaleString('en-US');

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const hours = Math.floor(minutes / 60);
  return hours === 0 ? `${minutes} min` : `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * The message posted in the summary channel after a LIVE; handles are shown as text, never pings.
 * With songs rated during the live, a line on them; a live where none was rated just has no line.
 */
export function formatLiveSummary(summary: SessionSummary, reviews: ReviewTotals | null = null): string {
  const { session, counts, gifts } = summary;
  const ended = session.endedAt ?? session.startedAt;
  const lines = [
    `**TikTok LIVE summary** — @${userText(session.tiktokUsername, 40)}`,
    `Duration: ${formatDuration(ended.getTime() - session.startedAt.getTime())}` +
      (summary.peakViewers > 0 ? ` · Peak viewers: ${n(summary.peakViewers)}` : ''),
    [
      `Likes: ${n(summary.likes)}`,
      `Comments: ${n(counts.comment)}`,
      `Shares: ${n(counts.share)}`,
      `Follows: ${n(counts.follow)}`,
      `Joins: ${n(counts.join)}`,
      `Gifts sent: ${n(gifts.sent)} (${n(gifts.value)} TikTok coins)`,
    ].join(' · '),
    `Luxury Coins awarded: ${n(session.coinsAwarded)}` +
      (session.giftCoinsAwarded === null || session.watchCoinsAwarded === null
        ? ''
        : ` (${n(session.giftCoinsAwarded)} for gifts · ${n(session.watchCoinsAwarded)} for watch time)`),
  ];
  if (reviews && reviews.reviewed > 0 && reviews.averageTenths !== null) {
    const best = reviews.best
      ? ` · Best rated: ${formatScore(reviews.best.scoreTenths)}/10, ${userText(reviews.best.artist, 60)} – ${userText(reviews.best.title, 60)}`
      : '';
    lines.push(
      `Songs rated: ${n(reviews.reviewed)} · Average score: ${formatScore(reviews.averageTenths)}/10${best}`,
    );
  }
  if (summary.topViewers.length > 0) {
    lines.push(
      'Top viewers by points:',
      ...summary.topViewers.map((v, i) => `${i + 1}. @${userText(v.handle, 40)} — ${n(v.points)} points`),
    );
  }
  return lines.join('\n');
}
