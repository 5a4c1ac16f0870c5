import { EmbedBuilder, time, TimestampStyles } from 'discord.js';
import type {
  CoinsAwarded,
  RankedViewer,
  SessionSummary,
  SkipCount,
} from '../../analytics/session-metrics.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import { userText } from '../../discord/replies.js';

const SKIP_SOURCE_LABELS: Record<SkipCount['source'], string> = {
  confirmed: 'confirmed',
  gift: 'by gift',
  coins: 'with Luxury Coins',
};

/** `2h 05m`, `12m 30s`: long enough for a stream, short enough for an embed field. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

const n = (value: number) => value.toLocaleString('en-US');

function ranking(viewers: readonly RankedViewer[], unit: 'TikTok coin' | 'point' | 'minute'): string {
  if (viewers.length === 0) return 'Nobody yet';
  return viewers
    .map((v, i) => `${i + 1}. @${userText(v.handle, 40)} · ${n(v.value)} ${unit}${v.value === 1 ? '' : 's'}`)
    .join('\n');
}

function skipLines(skips: readonly SkipCount[]): string {
  if (skips.length === 0) return 'None';
  return skips.map((s) => `${TIER_LABELS[s.tier]} ${SKIP_SOURCE_LABELS[s.source]}: ${n(s.count)}`).join('\n');
}

function coinsLine(coins: CoinsAwarded): string {
  const total = `${n(coins.total)} Luxury Coins`;
  if (coins.gifts === null || coins.watchTime === null) {
    return `${total} (gifts and watch time; this live predates keeping them apart)`;
  }
  return `${total}: ${n(coins.gifts)} for gifts · ${n(coins.watchTime)} for watch time`;
}

/** The headline figures of one session, for `/admin metrics session`. */
export function sessionSummaryEmbed(summary: SessionSummary): EmbedBuilder {
  const { session } = summary;
  const ended = session.endedAt ? time(session.endedAt, TimestampStyles.ShortDateTime) : 'still live';
  return new EmbedBuilder()
    .setTitle(`Live session #${session.id} · @${userText(session.tiktokUsername, 40)}`)
    .setDescription(
      `${time(session.startedAt, TimestampStyles.ShortDateTime)} → ${ended} · ${formatDuration(summary.durationSeconds)}`,
    )
    .addFields(
      {
        name: 'Viewers',
        value: `Peak ${summary.peakViewers === null ? '–' : n(summary.peakViewers)} · average ${
          summary.averageViewers === null ? '–' : n(summary.averageViewers)
        }\n${n(summary.uniqueViewers)} interacted`,
        inline: true,
      },
      {
        name: 'Engagement',
        value: `${n(summary.likes)} likes · ${n(summary.comments)} comments\n${n(summary.joins)} joins · ${n(
          summary.shares,
        )} shares · ${n(summary.follows)} follows`,
        inline: true,
      },
      {
        name: 'Gifts',
        value: `${n(summary.gifts)} gifts sent · ${n(summary.giftTikTokCoins)} TikTok coins`,
        inline: true,
      },
      {
        name: 'Earned by viewers',
        value: `${n(summary.pointsAwarded)} points · ${coinsLine(summary.coinsAwarded)}`,
        inline: true,
      },
      {
        name: 'Songs',
        value: `${n(summary.submissionsReceived)} submitted · ${n(summary.submissionsReviewed)} reviewed`,
        inline: true,
      },
      { name: 'Skips', value: skipLines(summary.skips), inline: true },
      { name: 'Top gifters', value: ranking(summary.topGifters, 'TikTok coin') },
      { name: 'Most engaged', value: ranking(summary.topEngaged, 'point') },
      { name: 'Top watchers', value: ranking(summary.topWatchers, 'minute') },
    )
    .setFooter({ text: 'Per-viewer CSV and JSON attached · chart times in UTC' });
}
