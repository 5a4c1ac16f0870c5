import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ViewerTotals } from '../../src/analytics/session-metrics.js';
import {
  neutraliseFormula,
  VIEWER_CSV_COLUMNS,
  viewerCsvHeader,
  viewerCsvRows,
} from '../../src/analytics/viewer-csv.js';

const viewer = (tiktokUserId: string, handle: string): ViewerTotals => ({
  tiktokUserId,
  handle,
  likes: 3,
  comments: 1,
  joins: 2,
  shares: 0,
  follows: 1,
  gifts: 2,
  tiktokCoins: 150,
  points: 40,
  watchMinutes: 12,
});

describe('per-viewer CSV', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])(
    'prefixes %j with an apostrophe so it is never a formula',
    (text) => {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
    },
  );

  it.each(['alice', '1=1', 'a-b', "'quoted"])('leaves %j as it is', (text) => {
    expect(neutraliseFormula(text)).toBe(text);
  });

  it('has a header row and one record per viewer, with quotes, commas and newlines kept intact', async () => {
    const tricky = 'we said "hi", then\nleft';
    const csv = viewerCsvHeader() + viewerCsvRows([viewer('u1', tricky), viewer('u2', '=cmd|calc')]);
    const records: Record<string, string>[] = parse(csv, { columns: true });
    expect(Object.keys(records[0]!)).toEqual([...VIEWER_CSV_COLUMNS]);
    expect(records.map((r) => r.handle)).toEqual([tricky, "'=cmd|calc"]);
    expect(records[1]).toMatchObject({
      tiktok_user_id: 'u2',
      likes: '3',
      joins: '2',
      tiktok_coins: '150',
      points: '40',
      watch_minutes: '12',
    });
  });
});
