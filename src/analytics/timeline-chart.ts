import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartItem, type Plugin } from 'chart.js';
import type { LiveSession, TimelineMinute } from './session-metrics.js';

Chart.register(...registerables);

export const CHART_SIZE = { width: 1200, height: 600 } as const;

const COLORS = { viewers: '#2563eb', likes: '#f43f5e', gifts: '#f59e0b', text: '#1f2937', grid: '#e5e7eb' };

/** chart.js draws on a transparent canvas; Discord's dark theme would hide the dark labels on it. */
const whiteBackground: Plugin<'bar' | 'line'> = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** `18:05` in UTC: the bot knows no streamer time zone, so the axis says which one it uses. */
function clockLabel(minute: Date): string {
  return minute.toISOString().slice(11, 16);
}

type ChartSession = Pick<LiveSession, 'id' | 'tiktokUsername' | 'startedAt'>;

/**
 * What the chart plots: concurrent viewers as a line on the left axis, likes and gifts per minute as
 * bars on their own right axes (their scales differ by orders of magnitude). A gift's TikTok coin
 * value is left to the CSV and JSON: one big gift would flatten every other bar.
 */
export function timelineChartConfig(
  session: ChartSession,
  timeline: readonly TimelineMinute[],
): ChartConfiguration<'bar' | 'line'> {
  const axisTitle = (text: string, color: string) => ({ display: true, text, color, font: { size: 14 } });
  return {
    type: 'bar',
    data: {
      labels: timeline.map((m) => clockLabel(m.minute)),
      datasets: [
        {
          type: 'line',
          label: 'Viewers',
          data: timeline.map((m) => m.viewers),
          yAxisID: 'viewers',
          borderColor: COLORS.viewers,
          backgroundColor: COLORS.viewers,
          borderWidth: 3,
          pointRadius: 0,
          spanGaps: true,
          order: 0,
        },
        {
          type: 'bar',
          label: 'Likes per minute',
          data: timeline.map((m) => m.likes),
          yAxisID: 'likes',
          backgroundColor: `${COLORS.likes}99`,
          order: 1,
        },
        {
          type: 'bar',
          label: 'Gifts per minute',
          data: timeline.map((m) => m.gifts),
          yAxisID: 'gifts',
          backgroundColor: `${COLORS.gifts}cc`,
          order: 2,
        },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      color: COLORS.text,
      font: { size: 13 },
      plugins: {
        title: {
          display: true,
          text: `Live session #${session.id} · @${session.tiktokUsername} · ${session.startedAt.toISOString().slice(0, 10)}`,
          color: COLORS.text,
          font: { size: 18, weight: 'bold' },
        },
        legend: { position: 'bottom', labels: { color: COLORS.text, font: { size: 14 } } },
      },
      scales: {
        x: {
          title: axisTitle('Time (UTC)', COLORS.text),
          ticks: { color: COLORS.text, maxRotation: 0, autoSkip: true, maxTicksLimit: 16 },
          grid: { color: COLORS.grid },
        },
        viewers: {
          position: 'left',
          beginAtZero: true,
          title: axisTitle('Viewers', COLORS.viewers),
          ticks: { color: COLORS.viewers, precision: 0 },
          grid: { color: COLORS.grid },
        },
        likes: {
          position: 'right',
          beginAtZero: true,
          title: axisTitle('Likes / min', COLORS.likes),
          ticks: { color: COLORS.likes, precision: 0 },
          grid: { display: false },
        },
        gifts: {
          position: 'right',
          beginAtZero: true,
          title: axisTitle('Gifts / min', COLORS.gifts),
          ticks: { color: COLORS.gifts, precision: 0 },
          grid: { display: false },
        },
      },
    },
    plugins: [whiteBackground],
  };
}

/** The session's timeline as a PNG, rendered in-process on @napi-rs/canvas, no browser. */
export async function renderTimelineChart(
  session: ChartSession,
  timeline: readonly TimelineMinute[],
  size: { width: number; height: number } = CHART_SIZE,
): Promise<Buffer> {
  const canvas = createCanvas(size.width, size.height);
  const config = timelineChartConfig(session, timeline);
  // @napi-rs/canvas implements the subset of the DOM canvas chart.js draws with.
  const chart = new Chart(canvas as unknown as ChartItem, config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
