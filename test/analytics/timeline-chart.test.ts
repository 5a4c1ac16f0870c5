import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import type { TimelineMinute } from '../../src/analytics/session-metrics.js';
import { CHART_SIZE, renderTimelineChart, timelineChartConfig } from '../../src/analytics/timeline-chart.js';
import { pngSize } from './png.js';

const session = { id: 7, tiktokUsername: 'reviewstream', startedAt: new Date('2026-11-20T18:00:00Z') };
const minute = (
  n: number,
  viewers: number | null,
  likes: number,
  giftTikTokCoins: number,
  gifts = giftTikTokCoins > 0 ? 1 : 0,
): TimelineMinute => ({
  minute: new Date(session.startedAt.getTime() + n * 60_000),
  viewers,
  likes,
  gifts,
  giftTikTokCoins,
});

describe('timeline chart', () => {
  it('is a PNG of 1200×600 by default', async () => {
    const png = await renderTimelineChart(session, [
      minute(0, 10, 5, 0),
      minute(1, null, 0, 100),
      minute(2, 30, 9, 1),
    ]);
    expect(pngSize(png)).toEqual(CHART_SIZE);
    expect(CHART_SIZE).toEqual({ width: 1200, height: 600 });
  });

  it('takes the size it is given', async () => {
    const png = await renderTimelineChart(session, [minute(0, 1, 1, 1)], { width: 640, height: 320 });
    expect(pngSize(png)).toEqual({ width: 640, height: 320 });
  });

  it('draws on an opaque white background, so labels stay readable in Discord dark mode', async () => {
    const png = await renderTimelineChart(session, [minute(0, 10, 5, 0)], { width: 400, height: 200 });
    const canvas = createCanvas(400, 200);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(await loadImage(png), 0, 0);
    expect([...ctx.getImageData(1, 1, 1, 1).data]).toEqual([255, 255, 255, 255]);
  });

  it('plots viewers, likes per minute and gifts per minute (a count, not their coin value)', () => {
    const config = timelineChartConfig(session, [minute(0, 10, 5, 0, 0), minute(1, 12, 0, 5000, 3)]);
    expect(config.data.labels).toEqual(['18:00', '18:01']);
    expect(config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['Viewers', [10, 12]],
      ['Likes per minute', [5, 0]],
      ['Gifts per minute', [0, 3]],
    ]);
  });

  it('renders a session without any minute', async () => {
    expect(pngSize(await renderTimelineChart(session, []))).toEqual(CHART_SIZE);
  });
});
