/**
 * What the rest of the app knows about a TikTok LIVE: plain data, no library types. Produced by
 * `normalize.ts` from tiktok-live-connector's proto messages, or parsed from relayed JSON with
 * `event-schema.ts`.
 *
 * Ids (`msgId`, `userId`, `groupId`) are decimal strings: they are 64-bit on TikTok's side.
 * `msgId` is TikTok's own message id; the first batch of every connection is replayed on reconnect with
 * the same ids, so consumers deduplicate on it.
 */
export type TikTokUser = { userId: string; handle: string; nickname: string };

export type TikTokEvent =
  | {
      kind: 'gift';
      msgId: string;
      at: Date;
      user: TikTokUser;
      giftId: number;
      giftName: string;
      /** Value of ONE gift in diamonds; a streak is worth `diamondCount * repeatCount`. */
      diamondCount: number;
      /** Running total of the streak so far (streak updates carry growing counts, not increments). */
      repeatCount: number;
      /** TikTok's end-of-streak flag. Only meaningful when `streakable`; it sometimes never arrives. */
      repeatEnd: boolean;
      /** Streakable gifts (TikTok gift type 1) fire updates then a final `repeatEnd`; others fire once. */
      streakable: boolean;
      /** Identifies one streak across its updates. */
      groupId: string;
    }
  | {
      kind: 'like';
      msgId: string;
      at: Date;
      user: TikTokUser;
      /** Likes in this message. */
      count: number;
      /** Likes of the whole LIVE so far. */
      total: number;
    }
  | { kind: 'join'; msgId: string; at: Date; user: TikTokUser }
  | { kind: 'comment'; msgId: string; at: Date; user: TikTokUser; text: string }
  | { kind: 'share'; msgId: string; at: Date; user: TikTokUser }
  | { kind: 'follow'; msgId: string; at: Date; user: TikTokUser }
  | { kind: 'viewers'; msgId: string; at: Date; total: number; topViewers: TikTokUser[] }
  /** `action` 3 = ended by the streamer, 4 = suspended by TikTok. */
  | { kind: 'streamEnd'; msgId: string; at: Date; action: number };

export type TikTokEventKind = TikTokEvent['kind'];
export type TikTokEventOf<K extends TikTokEventKind> = Extract<TikTokEvent, { kind: K }>;
