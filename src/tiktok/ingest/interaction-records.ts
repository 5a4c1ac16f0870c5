import type { InteractionKind } from '../../domain/interactions.js';
import { giftPoints, pointsFor, type PointRates } from '../../domain/points.js';
import type { InteractionRecord, SeenAccount } from '../../storage/ingest-repo.js';
import type { TikTokEvent, TikTokEventOf, TikTokUser } from '../events.js';

/** The TikTok events recorded as interactions: those whose kind is one of INTERACTION_KINDS. */
type RecordedEvent = Extract<TikTokEvent, { kind: InteractionKind }>;

/**
 * A TikTok event as a row of `interactions`, priced with the guild's point rates. A streakable gift's
 * updates earn nothing here: the streak is credited once, as one gift, when it settles.
 */
export function interactionRecord(event: RecordedEvent, rates: PointRates): InteractionRecord {
  switch (event.kind) {
    case 'gift':
      return giftRecord(event, rates);
    case 'like':
      return row(event, event.user.userId, event.count, pointsFor('like', event.count, rates), 0, {
        total: event.total,
      });
    case 'comment':
      // The handle at the time: a link code is checked against the handle it was issued for.
      return row(event, event.user.userId, 1, pointsFor('comment', 1, rates), 0, {
        text: event.text,
        handle: event.user.handle,
      });
    case 'share':
    case 'follow':
      return row(event, event.user.userId, 1, pointsFor(event.kind, 1, rates), 0, {});
    case 'join':
      return row(event, event.user.userId, 1, 0, 0, {});
    case 'viewers':
      return row(event, null, event.total, 0, 0, { topViewers: event.topViewers.map((v) => v.userId) });
  }
}

function giftRecord(event: TikTokEventOf<'gift'>, rates: PointRates): InteractionRecord {
  const payload = {
    giftId: event.giftId,
    giftName: event.giftName,
    diamondCount: event.diamondCount,
    repeatCount: event.repeatCount,
    repeatEnd: event.repeatEnd,
    streakable: event.streakable,
    groupId: event.groupId,
  };
  if (event.streakable) return row(event, event.user.userId, 0, 0, 0, payload);
  // A gift that does not streak arrives once; its count is 1 unless TikTok says otherwise.
  const value = event.diamondCount * Math.max(1, event.repeatCount);
  return row(event, event.user.userId, value, giftPoints(value, rates), value, payload);
}

/**
 * One literal per record: this runs for every message, and building it by spreading a shared base
 * object measured ~13× slower (a third of the ingest's CPU time in bench/ingest.bench.ts).
 */
function row(
  event: RecordedEvent,
  tiktokUserId: string | null,
  amount: number,
  points: number,
  giftValue: number,
  payload: Record<string, unknown>,
): InteractionRecord {
  return {
    msgId: event.msgId,
    kind: event.kind,
    tiktokUserId,
    amount,
    points,
    giftValue,
    payload,
    occurredAt: event.at,
  };
}

/** The accounts an event shows watching: its sender, or the top viewers of a viewer-count update. */
export function seenAccounts(event: RecordedEvent): SeenAccount[] {
  const users: TikTokUser[] = event.kind === 'viewers' ? event.topViewers : [event.user];
  return users.map((u) => ({ tiktokUserId: u.userId, handle: u.handle, nickname: u.nickname, at: event.at }));
}
