import { DEFAULT_GUILD_SETTINGS } from '../../../src/domain/guild-settings.js';
import type { Db } from '../../../src/storage/connect.js';
import { recordIngestBatch, type IngestResult } from '../../../src/storage/ingest-repo.js';
import type { TikTokEventOf } from '../../../src/tiktok/events.js';
import { interactionRecord, seenAccounts } from '../../../src/tiktok/ingest/interaction-records.js';

export interface ChatMessage {
  tiktokUserId: string;
  handle: string;
  text: string;
  /** Give the id of a message recorded before to replay it. */
  msgId?: string;
}

let nextMsgId = 7_460_000_000_000_000_000n;

/** A live chat message as the TikTok adapter hands it to ingestion. */
function chatEvent(message: ChatMessage, at: Date): TikTokEventOf<'comment'> {
  return {
    kind: 'comment',
    msgId: message.msgId ?? String(++nextMsgId),
    at,
    user: { userId: message.tiktokUserId, handle: message.handle, nickname: '' },
    text: message.text,
  };
}

/**
 * Records chat messages as one ingest batch, the way the pipeline writes them (records and seen
 * accounts built by the same functions), so link codes in them complete as they would live.
 */
export function recordChat(
  db: Db,
  guildId: string,
  messages: readonly ChatMessage[],
  now: Date,
): Promise<IngestResult> {
  const events = messages.map((m) => chatEvent(m, now));
  return recordIngestBatch(db, {
    guildId,
    sessionId: null,
    interactions: events.map((e) => interactionRecord(e, DEFAULT_GUILD_SETTINGS.points)),
    accounts: events.flatMap(seenAccounts),
    streaks: [],
    settings: DEFAULT_GUILD_SETTINGS,
    now,
  });
}
