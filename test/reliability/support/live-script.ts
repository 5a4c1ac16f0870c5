import { parseTikTokEvent } from '../../../src/tiktok/event-schema.js';
import type { TikTokEvent } from '../../../src/tiktok/events.js';

/** A TikTok event as a relay sends it: JSON, `at` an ISO string. */
export type RelayedEvent = Record<string, unknown> & { kind: string; msgId: string };

export interface LiveScriptOptions {
  /** Distinguishes runs: msg ids and streak group ids differ per run. */
  runId: number;
  batches: number;
  perBatch: number;
  /** How many viewers take part; few viewers means balances add up across many batches. */
  viewers?: number;
}

const viewerOf = (n: number) => ({
  userId: String(6_900_000_000_000_000_000n + BigInt(n)),
  handle: `viewer.${n}`,
  nickname: `Viewer ${n}`,
});

/**
 * A busy LIVE as batches of relayed events, the same for the same options: joins, likes, comments,
 * shares, follows, single gifts, and Rose streaks whose updates straddle batch boundaries and end with
 * `repeatEnd`. Ids are unique per run and message.
 */
export function scriptedLive(options: LiveScriptOptions): RelayedEvent[][] {
  const viewers = options.viewers ?? 25;
  let sequence = 0n;
  const base = 7_000_000_000_000_000_000n + BigInt(options.runId % 1_000_000) * 10_000_000n;
  const start = Date.now();
  const event = (kind: string, fields: Record<string, unknown>): RelayedEvent => {
    sequence += 1n;
    return {
      kind,
      msgId: String(base + sequence),
      at: new Date(start + Number(sequence)).toISOString(),
      ...fields,
    };
  };
  // Open streaks by viewer: their running count; each streak ends after 1–7 updates.
  const streaks = new Map<number, { group: string; count: number; left: number }>();
  let groups = 0;
  const batches: RelayedEvent[][] = [];
  for (let b = 0; b < options.batches; b++) {
    const batch: RelayedEvent[] = [];
    for (let i = 0; i < options.perBatch; i++) {
      const n = (b * 7 + i * 13) % viewers;
      const user = viewerOf(n);
      const pick = (b * options.perBatch + i) % 20;
      if (pick < 5) {
        batch.push(event('like', { user, count: 1 + (i % 15), total: b * 100 + i }));
      } else if (pick < 9) {
        batch.push(event('comment', { user, text: `message ${b}.${i}` }));
      } else if (pick < 11) {
        batch.push(event('join', { user }));
      } else if (pick === 11) {
        batch.push(event(i % 2 ? 'share' : 'follow', { user }));
      } else if (pick === 12) {
        batch.push(
          event('gift', {
            user,
            giftId: 11046,
            giftName: 'Galaxy',
            diamondCount: 1000,
            repeatCount: 1,
            repeatEnd: false,
            streakable: false,
            groupId: '0',
          }),
        );
      } else if (pick < 16) {
        const open = streaks.get(n) ?? {
          group: String(base + 5_000_000n + BigInt(++groups)),
          count: 0,
          left: 1 + ((b + i) % 7),
        };
        open.count += 1 + (i % 3);
        open.left -= 1;
        const repeatEnd = open.left <= 0;
        if (repeatEnd) streaks.delete(n);
        else streaks.set(n, open);
        batch.push(
          event('gift', {
            user,
            giftId: 5655,
            giftName: 'Rose',
            diamondCount: 1,
            repeatCount: open.count,
            repeatEnd,
            streakable: true,
            groupId: open.group,
          }),
        );
      } else {
        batch.push(event('viewers', { total: 1000 + b, topViewers: [user] }));
      }
    }
    batches.push(batch);
  }
  // Every streak ends within the script, as TikTok's usually do.
  const tail = batches.at(-1);
  for (const [n, open] of streaks) {
    tail?.push(
      event('gift', {
        user: viewerOf(n),
        giftId: 5655,
        giftName: 'Rose',
        diamondCount: 1,
        repeatCount: open.count + 1,
        repeatEnd: true,
        streakable: true,
        groupId: open.group,
      }),
    );
  }
  return batches;
}

/** The events as the webhook parses them, for feeding the pipeline directly. */
export function parsed(events: readonly RelayedEvent[]): TikTokEvent[] {
  return events.map((raw) => {
    const result = parseTikTokEvent(raw);
    if (!result.ok) throw new Error(`scripted event is invalid: ${result.issues.join('; ')}`);
    return result.event;
  });
}
