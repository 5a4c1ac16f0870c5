import {
  ControlAction,
  MemberMessageAction,
  type CommonMessageData,
  type User,
  type WebcastChatMessage,
  type WebcastControlMessage,
  type WebcastGiftMessage,
  type WebcastLikeMessage,
  type WebcastMemberMessage,
  type WebcastRoomUserSeqMessage,
  type WebcastSocialMessage,
} from 'tiktok-live-connector';
import type { TikTokEventOf, TikTokUser } from './events.js';

/**
 * Pure translations from tiktok-live-connector's decoded proto messages to our `TikTokEvent`.
 * Field names follow the library's `.d.ts` (tiktok-live-proto v3), not its README: the user id is
 * `user.id`, the handle `user.displayId`, likes are `count`/`total`, a gift's value is
 * `gift.diamondCount` and it streaks when `gift.type === 1`.
 *
 * Each returns null for a message we cannot use: no `common.msgId` (we dedupe on it), or no user id on
 * an event that is about a user.
 */

/** Proto3 leaves unset ids as "0" (or "" for strings decoded from nothing). */
function isSetId(value: string | undefined): value is string {
  return value !== undefined && /^[1-9][0-9]*$/.test(value);
}

export function toTikTokUser(user: User | undefined): TikTokUser | null {
  if (!user || !isSetId(user.id)) return null;
  return { userId: user.id, handle: user.displayId, nickname: user.nickname };
}

type Envelope = { msgId: string; at: Date };

/** TikTok stamps `common.createTime` in epoch milliseconds; when it is unset ("0") we use our receipt time. */
function envelope(common: CommonMessageData | undefined, receivedAt: Date): Envelope | null {
  if (!common || !isSetId(common.msgId)) return null;
  const created = Number(common.createTime);
  const at = Number.isFinite(created) && created > 0 ? new Date(created) : receivedAt;
  return { msgId: common.msgId, at };
}

/** The common shape of the events that are one user doing one thing. */
function userEvent(
  message: { common: CommonMessageData | undefined; user: User | undefined },
  receivedAt: Date,
): (Envelope & { user: TikTokUser }) | null {
  const env = envelope(message.common, receivedAt);
  const user = toTikTokUser(message.user);
  return env && user ? { ...env, user } : null;
}

/** Gift type 1 is the combo-able kind: TikTok sends updates with a growing repeatCount, then repeatEnd = 1. */
const STREAKABLE_GIFT_TYPE = 1;

export function normalizeGift(message: WebcastGiftMessage, receivedAt: Date): TikTokEventOf<'gift'> | null {
  const head = userEvent(message, receivedAt);
  const giftId = Number(message.giftId);
  if (!head || !Number.isSafeInteger(giftId) || giftId <= 0) return null;
  return {
    kind: 'gift',
    ...head,
    giftId,
    giftName: message.gift?.name ?? '',
    diamondCount: message.gift?.diamondCount ?? 0,
    repeatCount: message.repeatCount,
    repeatEnd: message.repeatEnd === 1,
    streakable: message.gift?.type === STREAKABLE_GIFT_TYPE,
    groupId: message.groupId || '0',
  };
}

export function normalizeLike(message: WebcastLikeMessage, receivedAt: Date): TikTokEventOf<'like'> | null {
  const head = userEvent(message, receivedAt);
  if (!head) return null;
  return { kind: 'like', ...head, count: message.count, total: Number(message.total) || 0 };
}

/** Member messages also announce subscriptions and admin changes; only action 1 is someone joining. */
export function normalizeMember(
  message: WebcastMemberMessage,
  receivedAt: Date,
): TikTokEventOf<'join'> | null {
  if (message.action !== MemberMessageAction.MEMBER_MESSAGE_ACTION_JOINED) return null;
  const head = userEvent(message, receivedAt);
  return head && { kind: 'join', ...head };
}

export function normalizeChat(
  message: WebcastChatMessage,
  receivedAt: Date,
): TikTokEventOf<'comment'> | null {
  const head = userEvent(message, receivedAt);
  return head && { kind: 'comment', ...head, text: message.content };
}

/*
 * The library itself splits `WebcastSocialMessage` into `follow` and `share` (by the display-text key)
 * and emits every other social message as `social`, which we ignore.
 */
export function normalizeFollow(
  message: WebcastSocialMessage,
  receivedAt: Date,
): TikTokEventOf<'follow'> | null {
  const head = userEvent(message, receivedAt);
  return head && { kind: 'follow', ...head };
}

export function normalizeShare(
  message: WebcastSocialMessage,
  receivedAt: Date,
): TikTokEventOf<'share'> | null {
  const head = userEvent(message, receivedAt);
  return head && { kind: 'share', ...head };
}

export function normalizeRoomUser(
  message: WebcastRoomUserSeqMessage,
  receivedAt: Date,
): TikTokEventOf<'viewers'> | null {
  const env = envelope(message.common, receivedAt);
  if (!env) return null;
  const topViewers = message.ranks
    .map((rank) => toTikTokUser(rank.user))
    .filter((user): user is TikTokUser => user !== null);
  return { kind: 'viewers', ...env, total: Number(message.total) || 0, topViewers };
}

const STREAM_END_ACTIONS: readonly ControlAction[] = [
  ControlAction.CONTROL_ACTION_STREAM_ENDED,
  ControlAction.CONTROL_ACTION_STREAM_SUSPENDED,
];

/**
 * From the `controlMessage` event rather than the library's `streamEnd`, which carries only the
 * action: we need the message id and time like every other event.
 */
export function normalizeControl(
  message: WebcastControlMessage,
  receivedAt: Date,
): TikTokEventOf<'streamEnd'> | null {
  if (!STREAM_END_ACTIONS.includes(message.action)) return null;
  const env = envelope(message.common, receivedAt);
  return env && { kind: 'streamEnd', ...env, action: message.action };
}
