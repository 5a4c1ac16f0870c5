import { sql } from 'drizzle-orm';
import type { GuildSettings } from '../domain/guild-settings.js';
import { addToTally, BALANCE_CAP } from './balance-cap.js';
import { rowsOf, type Queryable } from './connect.js';
import { carriedUnits, carryOf, coinsOf } from './sql-rules.js';

/**
 * One minute of watch time for every viewer of the guild's open LIVE: a viewer counts as watching
 * when seen (joined, liked, commented, gifted, shared, followed, or listed among the top viewers)
 * within the last `watchWindowMinutes` before `now`. Each gets a watch minute, on their account and
 * in the live's `session_watch`, converted to Luxury Coins with their carried remainder exactly as
 * `convertWithCarry(1, carry, watchCoinRate)` does (integer division and remainder on non-negative
 * numbers); balances stop at BALANCE_CAP, and the coins that fitted join the live's watch-time tally.
 * One statement; nothing happens while no session is open. Who watches is read from the database
 * (`last_seen_at`, kept by the ingest batches), not from memory, so any process sharing the database
 * can run the tick (see src/features/tiktok/watch-time-job.ts). Rows are locked in the ingest's order
 * (by TikTok user id), so a tick and an ingest batch never deadlock.
 */
export async function tickWatchTime(
  db: Queryable,
  guildId: string,
  now: Date,
  settings: Pick<GuildSettings, 'watchWindowMinutes' | 'watchCoinRate'>,
): Promise<{ watchers: number; coins: number }> {
  const rate = settings.watchCoinRate;
  const since = new Date(now.getTime() - settings.watchWindowMinutes * 60_000).toISOString();
  const [row] = await rowsOf<{ watchers: number; coins: number }>(
    db,
    sql`WITH live AS (
          SELECT id FROM live_sessions WHERE guild_id = ${guildId} AND ended_at IS NULL
        ), watching AS (
          -- FOR UPDATE returns the latest balance, which the coins that fit are measured against.
          SELECT tiktok_user_id, coins AS before, ${carriedUnits(sql`watch_coin_carry`, sql`1`, rate)} AS acc
          FROM tiktok_accounts
          WHERE guild_id = ${guildId}
            AND last_seen_at > ${since}::timestamptz AND last_seen_at <= ${now.toISOString()}::timestamptz
            AND EXISTS (SELECT 1 FROM live)
          ORDER BY tiktok_user_id
          FOR UPDATE
        ), watched AS (
          UPDATE tiktok_accounts a SET watch_minutes = a.watch_minutes + 1,
            coins = LEAST(a.coins + ${coinsOf(sql`w.acc`, rate)}, ${BALANCE_CAP}),
            watch_coin_carry = ${carryOf(sql`w.acc`, rate)}
          FROM watching w WHERE a.guild_id = ${guildId} AND a.tiktok_user_id = w.tiktok_user_id
          RETURNING a.tiktok_user_id, a.coins - w.before AS coins
        ), per_session AS (
          INSERT INTO session_watch (guild_id, session_id, tiktok_user_id, minutes)
          SELECT ${guildId}, live.id, w.tiktok_user_id, 1 FROM watched w, live ORDER BY w.tiktok_user_id
          ON CONFLICT (guild_id, session_id, tiktok_user_id) DO UPDATE SET minutes = session_watch.minutes + 1
        ), totals AS (
          SELECT count(*)::int AS watchers, COALESCE(sum(coins), 0)::bigint AS coins FROM watched
        ), tally AS (
          UPDATE live_sessions SET coins_awarded = ${addToTally('coins_awarded', sql`t.coins`)},
            watch_coins_awarded = ${addToTally('watch_coins_awarded', sql`t.coins`)}
          FROM totals t WHERE id = (SELECT id FROM live)
        )
        SELECT watchers, coins FROM totals`,
  );
  return { watchers: Number(row?.watchers ?? 0), coins: Number(row?.coins ?? 0) };
}

/** Guilds with a LIVE session open, whichever process opened it. */
export async function guildsWithOpenLive(db: Queryable): Promise<string[]> {
  const rows = await rowsOf<{ guild_id: string }>(
    db,
    sql`SELECT guild_id FROM live_sessions WHERE ended_at IS NULL ORDER BY guild_id`,
  );
  return rows.map((r) => r.guild_id);
}
