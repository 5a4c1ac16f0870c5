import { describe, expect, it } from 'vitest';
import type { TikTokEventOf } from '../../src/tiktok/events.js';
import { GiftStreakTracker } from '../../src/tiktok/ingest/streak-tracker.js';

const update = (repeatCount: number, repeatEnd = false, groupId = '1'): TikTokEventOf<'gift'> => ({
  kind: 'gift',
  msgId: String(7_000 + repeatCount),
  at: new Date('2026-11-24T20:00:00Z'),
  user: { userId: '6812345678901234567', handle: 'alice', nickname: 'Alice' },
  giftId: 5655,
  giftName: 'Rose',
  diamondCount: 1,
  repeatCount,
  repeatEnd,
  streakable: true,
  groupId,
});

describe('GiftStreakTracker', () => {
  it('ends a streak at its repeatEnd with the highest count seen, even if updates arrive out of order', () => {
    const tracker = new GiftStreakTracker(15_000);
    expect(tracker.observe(update(3), 0)).toBeNull();
    expect(tracker.observe(update(2), 10)).toBeNull();
    expect(tracker.observe(update(3, true), 20)).toMatchObject({
      repeatCount: 3,
      key: '6812345678901234567:5655:1',
    });
    expect(tracker.openStreaks).toBe(0);
  });

  it('settles a streak only after the full silence since its last update', () => {
    const tracker = new GiftStreakTracker(15_000);
    tracker.observe(update(1), 0);
    tracker.observe(update(4), 10_000);
    expect(tracker.settleSilent(24_999)).toEqual([]);
    expect(tracker.settleSilent(25_000)).toMatchObject([{ repeatCount: 4 }]);
    expect(tracker.settleSilent(60_000)).toEqual([]);
  });

  it('keeps streaks of different groups apart', () => {
    const tracker = new GiftStreakTracker(15_000);
    tracker.observe(update(5, false, '1'), 0);
    expect(tracker.observe(update(2, true, '2'), 0)).toMatchObject({ repeatCount: 2 });
    expect(tracker.settleAll()).toMatchObject([{ repeatCount: 5 }]);
  });
});
