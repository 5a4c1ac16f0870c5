import { giftPoints, pointsFor, type PointRates } from '../../domain/points.js';
import type { InteractionRecord, SeenAccount } from '../../storage/ingest-repo.js';
import type { TikTokEvent, TikTokEventOf, TikTokUser } from '../events.js';

type RecordedEvent = Exclude<TikTokEvent, { kind: 'streamEnd' }>;

/**
 * A TikTok event as a row of `interactions`, priced with the guild's point rates. A streakable gift's
 * updates earn nothing here: the streak is credited once, as one gift, when it settles.
 */
export function interactionRecord(event: RecordedEvent, rates: PointRates): InteractionRecord {
  const base = { msgId: event.msgId, occurredAt: event.at, giftValue: 0 };
  switch (event.kind) {
    case 'gift':
      return giftRecord(event, rates);
    case 'like':
      return {
        ...base,
        kind: 'like',
        tiktokUserId: event.user.userId,
        amount: event.count,
        points: pointsFor('like', event.count, rates),
        payload: { total: event.total },
      };
    case 'comment':
      return {
        ...base,
        kind: 'comment',
        tiktokUserId: event.user.userId,
        amount: 1,
        points: pointsFor('comment', 1, rates),
        // The handle at the time: a link code is checked against the handle it was issued for.
        payload: { text: event.text, handle: event.user.handle },
      };
    case 'share':
    case 'follow':
      return {
        ...base,
        kind: event.kind,
        tiktokUserId: event.user.userId,
        amount: 1,
        points: pointsFor(event.kind, 1, rates),
        payload: {},
      };
    case 'join':
      return { ...base, kind: 'join', tiktokUserId: event.user.userId, amount: 1, points: 0, payload: {} };
    case 'viewers':
      return {
        ...base,
        kind: 'viewers',
        tiktokUserId: null,
        amount: event.total,
        points: 0,
        payload: { topViewers: event.topViewers.map((v) => v.userId) },
      };
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
  const base = {
    msgId: event.msgId,
    kind: 'gift' as const,
    tiktokUserId: event.user.userId,
    payload,
    occurredAt: event.at,
  };
  if (event.streakable) return { ...base, amount: 0, points: 0, giftValue: 0 };
  // A gift that does not streak arrives once; its count is 1 unless TikTok says otherwise.
  const value = event.diamondCount * Math.max(1, event.repeatCount);
  return { ...base, amount: value, points: giftPoints(value, rates), giftValue: value };
}

/** The accounts an event shows watching: its sender, or the top viewers of a viewer-count update. */
export function seenAccounts(event: RecordedEvent): SeenAccount[] {
  const users: TikTokUser[] = event.kind === 'viewers' ? event.topViewers : [event.user];
  return users.map((u) => ({ tiktokUserId: u.userId, handle: u.handle, nickname: u.nickname, at: event.at }));
}
