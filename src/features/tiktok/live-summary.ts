import { userText } from '../../discord/replies.js';
import type { SessionSummary } from '../../storage/live-sessions-repo.js';

const n = (value: number) => value.toLocaleString('en-US');

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const hours = Math.floor(minutes / 60);
  return hours === 0 ? `${minutes} min` : `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The message posted in the summary channel after a LIVE; handles are shown as text, never pings. */
export function formatLiveSummary(summary: SessionSummary): string {
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
  if (summary.topViewers.length > 0) {
    lines.push(
      'Top viewers by points:',
      ...summary.topViewers.map((v, i) => `${i + 1}. @${userText(v.handle, 40)} — ${n(v.points)} points`),
    );
  }
  return lines.join('\n');
}
