import { sql } from 'drizzle-orm';
import type { ModuleFactory } from '../../../src/discord/module.js';
import { FEATURE_MODULES } from '../../../src/features/index.js';
import { tiktokModule } from '../../../src/features/tiktok/index.js';
import type { TikTokModuleOptions } from '../../../src/features/tiktok/options.js';
import { rowsOf } from '../../../src/storage/connect.js';
import { startTestBot, type TestBot } from '../../support/bot/test-bot.js';
import { until } from '../../support/until.js';
import type { TestDatabase } from '../../support/db/test-database.js';
import {
  chat,
  follow,
  gift,
  join,
  like,
  roomUser,
  share,
  type LocalWebcast,
  type Sender,
  type WebcastTestMessage,
} from '../../support/tiktok/local-webcast.js';
import type { RelayedEvent } from './live-script.js';

/**
 * A scripted live (live-script.ts) as real webcast protobuf messages, same message ids and times, so
 * the same LIVE can arrive through the live connection and be replayed through the pipeline directly.
 */
export function asWebcastMessages(batch: readonly RelayedEvent[]): WebcastTestMessage[] {
  return batch.map((e) => {
    const stamp = { msgId: e.msgId, at: new Date(String(e.at)) };
    const user = e.user as Sender;
    switch (e.kind) {
      case 'like':
        return like({ ...user, ...stamp, count: Number(e.count), total: Number(e.total) });
      case 'comment':
        return chat({ ...user, ...stamp, text: String(e.text) });
      case 'join':
        return join({ ...user, ...stamp });
      case 'share':
        return share({ ...user, ...stamp });
      case 'follow':
        return follow({ ...user, ...stamp });
      case 'viewers':
        return roomUser({ ...stamp, total: Number(e.total), topViewers: e.topViewers as Sender[] });
      case 'gift':
        return gift({
          ...user,
          ...stamp,
          giftId: Number(e.giftId),
          giftName: String(e.giftName),
          diamondCount: Number(e.diamondCount),
          // Type 1 is TikTok's streakable kind.
          type: e.streakable ? 1 : 2,
          repeatCount: Number(e.repeatCount),
          repeatEnd: Boolean(e.repeatEnd),
          groupId: String(e.groupId),
        });
      default:
        throw new Error(`no webcast message for a ${e.kind} event`);
    }
  });
}

/**
 * The shipped bot in this process, its tiktok module connected to `webcast` with `/admin tiktok
 * connect`; resolves once the LIVE session is open. Watch time is left out (its job ticks daily), so
 * balances depend on the events alone.
 */
export async function startBotOnLive(
  database: TestDatabase,
  webcast: LocalWebcast,
  options: TikTokModuleOptions = {},
): Promise<TestBot> {
  const modules = new Map<string, ModuleFactory>(FEATURE_MODULES);
  modules.set('tiktok', () =>
    tiktokModule({
      sourceOptions: { ...webcast.connectionOptions, backoff: { minMs: 20, maxMs: 50 } },
      flushIntervalMs: 25,
      streakSilenceMs: 60_000,
      watchTickMs: 24 * 60 * 60_000,
      ...options,
    }),
  );
  const t = await startTestBot({ database, modules });
  const connect = t.discord.slashCommand({
    channelId: t.channels.general,
    user: t.users.admin,
    name: 'admin',
    subcommandGroup: 'tiktok',
    subcommand: 'connect',
    options: { username: webcast.handle },
  });
  // Type 5 is a deferred reply: the answer follows as an edit.
  if ((await connect.reply()).body.type === 5) await connect.editReply();
  await until(
    'the LIVE session open',
    async () => {
      const open = await rowsOf(database.db, sql`SELECT 1 FROM live_sessions WHERE ended_at IS NULL`);
      return open.length > 0;
    },
    20_000,
  );
  return t;
}
