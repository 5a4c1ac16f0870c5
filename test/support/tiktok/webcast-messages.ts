import {
  BaseProtoMessage,
  CommonMessageData,
  Contributor,
  ControlAction,
  Gift,
  MemberMessageAction,
  MessageCommonText,
  ProtoMessageFetchResult,
  User,
  WebcastChatMessage,
  WebcastControlMessage,
  WebcastGiftMessage,
  WebcastLikeMessage,
  WebcastMemberMessage,
  WebcastRoomUserSeqMessage,
  WebcastSocialMessage,
} from 'tiktok-live-connector';

/**
 * Real TikTok webcast messages, encoded with the library's own protobuf codecs (tiktok-live-proto),
 * for the local webcast to serve. The codecs' `encode` throws on missing fields, so every message and
 * every nested message starts from `Codec.decode(empty)` (all defaults) and overrides what matters.
 * Ids are decimal strings, as in the proto (int64).
 */

type Codec<T> = {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
};

function build<T>(codec: Codec<T>, fields: Partial<T>): T {
  return { ...codec.decode(new Uint8Array(0)), ...fields };
}

/** One entry of a `ProtoMessageFetchResult`: a method name and its encoded payload. */
export type WebcastTestMessage = BaseProtoMessage;

/** Who did it. TikTok user ids are 19-digit numbers; "0" means no user id. */
export type Sender = { userId: string; handle: string; nickname?: string };
/** Envelope of every message: a unique id is generated when not given; `at` defaults to now. */
export type Stamp = { msgId?: string; at?: Date };

let lastMsgId = 7_400_000_000_000_000_000n;
export function nextMsgId(): string {
  lastMsgId += 1n;
  return lastMsgId.toString();
}

function common(method: string, stamp: Stamp, displayKey?: string): CommonMessageData {
  return build(CommonMessageData, {
    method,
    msgId: stamp.msgId ?? nextMsgId(),
    createTime: String((stamp.at ?? new Date()).getTime()),
    displayText: displayKey === undefined ? undefined : build(MessageCommonText, { key: displayKey }),
  });
}

function user({ userId, handle, nickname = handle }: Sender): User {
  return build(User, { id: userId, displayId: handle, nickname });
}

function encode<T extends { common: CommonMessageData | undefined }>(
  method: string,
  codec: Codec<T>,
  fields: Partial<T> & { common: CommonMessageData },
): WebcastTestMessage {
  return build(BaseProtoMessage, {
    method,
    msgId: fields.common.msgId,
    payload: Buffer.from(codec.encode(build(codec, fields)).finish()),
  });
}

export type GiftFields = Sender &
  Stamp & {
    giftId: number;
    giftName?: string;
    diamondCount: number;
    repeatCount: number;
    repeatEnd: boolean;
    /** 1 = streakable (e.g. Rose); other types fire once. */
    type: number;
    /** Same value for every update of one streak. */
    groupId: string;
  };

export function gift(f: GiftFields): WebcastTestMessage {
  return encode('WebcastGiftMessage', WebcastGiftMessage, {
    common: common('WebcastGiftMessage', f),
    user: user(f),
    giftId: String(f.giftId),
    repeatCount: f.repeatCount,
    repeatEnd: f.repeatEnd ? 1 : 0,
    groupId: f.groupId,
    gift: build(Gift, {
      id: String(f.giftId),
      name: f.giftName ?? '',
      diamondCount: f.diamondCount,
      type: f.type,
    }),
  });
}

/** `count` likes in this message; `total` likes of the LIVE so far. */
export function like(f: Sender & Stamp & { count: number; total: number }): WebcastTestMessage {
  return encode('WebcastLikeMessage', WebcastLikeMessage, {
    common: common('WebcastLikeMessage', f),
    user: user(f),
    count: f.count,
    total: String(f.total),
  });
}

/** A member message; action 1 (the default) is a join, 3 a subscription. */
export function join(f: Sender & Stamp & { action?: MemberMessageAction }): WebcastTestMessage {
  return encode('WebcastMemberMessage', WebcastMemberMessage, {
    common: common('WebcastMemberMessage', f),
    user: user(f),
    userId: f.userId,
    action: f.action ?? MemberMessageAction.MEMBER_MESSAGE_ACTION_JOINED,
  });
}

export function chat(f: Sender & Stamp & { text: string }): WebcastTestMessage {
  return encode('WebcastChatMessage', WebcastChatMessage, {
    common: common('WebcastChatMessage', f),
    user: user(f),
    content: f.text,
  });
}

/**
 * A social message. The library emits `follow` or `share` when the display-text key contains that
 * word (TikTok's keys look like `pm_main_follow_message_viewer_2` and `pm_mt_guidance_share`), and
 * `social` for any other key.
 */
export function social(f: Sender & Stamp & { displayKey: string }): WebcastTestMessage {
  return encode('WebcastSocialMessage', WebcastSocialMessage, {
    common: common('WebcastSocialMessage', f, f.displayKey),
    user: user(f),
  });
}

export function follow(f: Sender & Stamp): WebcastTestMessage {
  return social({ ...f, displayKey: 'pm_main_follow_message_viewer_2' });
}

export function share(f: Sender & Stamp): WebcastTestMessage {
  return social({ ...f, displayKey: 'pm_mt_guidance_share' });
}

/** The viewer count, with the top viewers (gifters) in rank order. */
export function roomUser(f: Stamp & { total: number; topViewers?: Sender[] }): WebcastTestMessage {
  return encode('WebcastRoomUserSeqMessage', WebcastRoomUserSeqMessage, {
    common: common('WebcastRoomUserSeqMessage', f),
    total: String(f.total),
    ranks: (f.topViewers ?? []).map((viewer, index) =>
      build(Contributor, { user: user(viewer), rank: String(index + 1) }),
    ),
  });
}

/** A control message; the library treats action 3 (ended, the default) and 4 (suspended) as stream end. */
export function streamEnd(f: Stamp & { action?: ControlAction } = {}): WebcastTestMessage {
  return encode('WebcastControlMessage', WebcastControlMessage, {
    common: common('WebcastControlMessage', f),
    action: f.action ?? ControlAction.CONTROL_ACTION_STREAM_ENDED,
  });
}

/** The batch container TikTok answers the sign request and pushes over the WebSocket with. */
export function fetchResult(
  messages: WebcastTestMessage[],
  fields: Partial<ProtoMessageFetchResult> = {},
): Uint8Array {
  const now = Date.now();
  return ProtoMessageFetchResult.encode(
    build(ProtoMessageFetchResult, {
      messages,
      cursor: String(now),
      now: String(now),
      fetchInterval: '1000',
      internalExt: `internal_src:local|cursor:${now}`,
      ...fields,
    }),
  ).finish();
}
