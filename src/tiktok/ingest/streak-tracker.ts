import type { TikTokEventOf, TikTokUser } from '../events.js';

/**
 * TikTok's end-of-streak message sometimes never arrives (tiktok-live-connector issues #29, #74): a
 * streak silent this long is settled with the count seen so far.
 */
export const STREAK_SILENCE_MS = 15_000;

/** A gift streak ready to be credited at its latest count (storage credits only what is new). */
export interface SettledStreak {
  key: string;
  user: TikTokUser;
  giftId: number;
  giftName: string;
  diamondCount: number;
  repeatCount: number;
  startedAt: Date;
}

/** One streak across its updates: the same sender, gift and group. */
export function streakKey(gift: TikTokEventOf<'gift'>): string {
  return `${gift.user.userId}:${gift.giftId}:${gift.groupId}`;
}

/**
 * Follows streakable gifts between their updates and says when each streak is over: at its
 * `repeatEnd`, or after a silence. Counts only grow (updates carry running totals, and a replayed
 * update may arrive late), so the highest count seen wins.
 */
export class GiftStreakTracker {
  readonly #open = new Map<string, { streak: SettledStreak; heardAtMs: number }>();

  constructor(private readonly silenceMs = STREAK_SILENCE_MS) {}

  get openStreaks(): number {
    return this.#open.size;
  }

  /** Takes one update of a streakable gift; returns the streak when this update ends it. */
  observe(gift: TikTokEventOf<'gift'>, nowMs: number): SettledStreak | null {
    const key = streakKey(gift);
    const previous = this.#open.get(key)?.streak;
    const streak: SettledStreak = {
      key,
      user: gift.user,
      giftId: gift.giftId,
      giftName: gift.giftName,
      diamondCount: gift.diamondCount,
      repeatCount: Math.max(previous?.repeatCount ?? 0, gift.repeatCount),
      startedAt: previous?.startedAt ?? gift.at,
    };
    if (gift.repeatEnd) {
      this.#open.delete(key);
      return streak;
    }
    this.#open.set(key, { streak, heardAtMs: nowMs });
    return null;
  }

  /** Streaks not heard from for the silence period, removed from tracking. */
  settleSilent(nowMs: number): SettledStreak[] {
    const settled: SettledStreak[] = [];
    for (const [key, entry] of this.#open) {
      if (nowMs - entry.heardAtMs >= this.silenceMs) {
        this.#open.delete(key);
        settled.push(entry.streak);
      }
    }
    return settled;
  }

  /** Every open streak, at its count so far (on shutdown: a later replay can still add the rest). */
  settleAll(): SettledStreak[] {
    const settled = [...this.#open.values()].map((entry) => entry.streak);
    this.#open.clear();
    return settled;
  }
}
