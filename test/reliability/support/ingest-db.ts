import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../../src/storage/connect.js';
import { getGuildConfig } from '../../../src/storage/guild-config-repo.js';
import { IngestPipeline } from '../../../src/tiktok/ingest/pipeline.js';
import { parsed, type RelayedEvent } from './live-script.js';

/** Every stored message id of the guild, with how often it is stored. */
export async function storedMessageIds(db: Db, guildId: string): Promise<Map<string, number>> {
  const rows = await rowsOf<{ msg_id: string; n: number }>(
    db,
    sql`SELECT msg_id, count(*)::int AS n FROM interactions WHERE guild_id = ${guildId} GROUP BY msg_id`,
  );
  return new Map(rows.map((r) => [r.msg_id, Number(r.n)]));
}

export interface AccountBalance {
  tiktokUserId: string;
  points: number;
  coins: number;
  giftCoinCarry: number;
  watchMinutes: number;
  watchCoinCarry: number;
  tiktokCoinsGifted: number;
}

/** Every TikTok account's balances in the guild, by user id. */
export async function accountBalances(db: Db, guildId: string): Promise<AccountBalance[]> {
  const rows = await rowsOf<Record<string, string | number>>(
    db,
    sql`SELECT tiktok_user_id, points, coins, gift_coin_carry, watch_minutes, watch_coin_carry, tiktok_coins_gifted
        FROM tiktok_accounts WHERE guild_id = ${guildId} ORDER BY tiktok_user_id`,
  );
  return rows.map((r) => ({
    tiktokUserId: String(r.tiktok_user_id),
    points: Number(r.points),
    coins: Number(r.coins),
    giftCoinCarry: Number(r.gift_coin_carry),
    watchMinutes: Number(r.watch_minutes),
    watchCoinCarry: Number(r.watch_coin_carry),
    tiktokCoinsGifted: Number(r.tiktok_coins_gifted),
  }));
}

/** Gift streaks as credited, by key. */
export async function creditedStreaks(db: Db, guildId: string): Promise<Record<string, unknown>[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`SELECT streak_key, repeat_count, credited_value, credited_points FROM gift_streaks
        WHERE guild_id = ${guildId} ORDER BY streak_key`,
  );
  return rows.map((r) => ({
    key: r.streak_key,
    repeatCount: Number(r.repeat_count),
    value: Number(r.credited_value),
    points: Number(r.credited_points),
  }));
}

/**
 * The from-scratch answer: the same batches, each once and in order, through the same pipeline (one
 * `IngestPipeline`, as the bot's tiktok module builds it) into a fresh database.
 */
export async function replayFromScratch(db: Db, guildId: string, batches: RelayedEvent[][]): Promise<void> {
  const pipeline = new IngestPipeline({
    guildId,
    db,
    loadSettings: async () => (await getGuildConfig(db, guildId)).settings,
    onRecorded: async () => {},
    onStreamEnd: async () => false,
    logger: {
      warn: (details, message) => console.warn(message, details),
      error: (details, message) => console.error(message, details),
    },
  });
  for (const batch of batches) await pipeline.submit(parsed(batch));
  await pipeline.stop();
}
