import { sql } from 'drizzle-orm';
import { addCoins, spend } from '../domain/coins.js';
import { UserFacingError } from '../domain/errors.js';
import type { GuildSettings } from '../domain/guild-settings.js';
import { SKIP_TIER_AMOUNT } from '../domain/skips.js';
import { TIER_LABELS } from '../domain/tiers.js';
import { recordAudit } from './audit-repo.js';
import { rowsOf, type Queryable } from './connect.js';
import type { SubmissionRecord } from './submission-record.js';
import { skipLatestWaiting } from './queue-moves.js';
import { userPositions } from './submissions-repo.js';

export interface Balances {
  discordPoints: number;
  discordCoins: number;
  tiktok: {
    tiktokUserId: string;
    handle: string;
    points: number;
    coins: number;
    watchMinutes: number;
  } | null;
  /** Engagement score of a Free submission: Discord points + linked TikTok points. */
  totalPoints: number;
  /** Spendable Luxury Coins: Discord balance + linked TikTok balance. */
  totalCoins: number;
}

export async function getBalances(db: Queryable, guildId: string, userId: string): Promise<Balances> {
  const [row] = await rowsOf<{
    d_points: number | null;
    d_coins: number | null;
    t_id: string | null;
    t_handle: string | null;
    t_points: number | null;
    t_coins: number | null;
    t_watch: number | null;
  }>(
    db,
    sql`SELECT up.points AS d_points, up.coins AS d_coins, ta.tiktok_user_id AS t_id, ta.handle AS t_handle,
          ta.points AS t_points, ta.coins AS t_coins, ta.watch_minutes AS t_watch
        FROM (SELECT 1) one
        LEFT JOIN user_points up ON up.guild_id = ${guildId} AND up.discord_user_id = ${userId}
        LEFT JOIN tiktok_accounts ta ON ta.guild_id = ${guildId} AND ta.discord_user_id = ${userId}`,
  );
  const discordPoints = Number(row?.d_points ?? 0);
  const discordCoins = Number(row?.d_coins ?? 0);
  const tiktok =
    row?.t_id != null
      ? {
          tiktokUserId: row.t_id,
          handle: row.t_handle ?? '',
          points: Number(row.t_points ?? 0),
          coins: Number(row.t_coins ?? 0),
          watchMinutes: Number(row.t_watch ?? 0),
        }
      : null;
  return {
    discordPoints,
    discordCoins,
    tiktok,
    totalPoints: discordPoints + (tiktok?.points ?? 0),
    totalCoins: discordCoins + (tiktok?.coins ?? 0),
  };
}

/**
 * Adds (or with a negative delta, takes) engagement points or Luxury Coins on a Discord user's own
 * balance. Taking more than they have is refused and changes nothing.
 */
export async function adjustDiscordBalance(
  db: Queryable,
  guildId: string,
  userId: string,
  balance: 'points' | 'coins',
  delta: number,
  audit?: { actorId: string; reason?: string },
): Promise<number> {
  if (!Number.isSafeInteger(delta) || delta === 0) {
    throw new UserFacingError('invalid_amount', 'The amount must be a whole number other than 0.');
  }
  return db.transaction(async (tx) => {
    const column = sql.raw(balance);
    const [current] = await rowsOf<{ value: number }>(
      tx,
      sql`SELECT ${column} AS value FROM user_points WHERE guild_id = ${guildId} AND discord_user_id = ${userId} FOR UPDATE`,
    );
    const before = Number(current?.value ?? 0);
    const name = balance === 'coins' ? 'Luxury Coins' : 'engagement points';
    // addCoins would throw a RangeError (an apology); an admin's give must be refused in words.
    if (before + delta > Number.MAX_SAFE_INTEGER) {
      throw new UserFacingError(
        'invalid_amount',
        `That would take them past ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')} ${name}, the most a balance can hold; nothing changed.`,
      );
    }
    const after = delta > 0 ? addCoins(before, delta) : before + delta;
    if (after < 0) {
      throw new UserFacingError(
        'insufficient_coins',
        `They have only ${before.toLocaleString('en-US')} ${name}; nothing changed.`,
      );
    }
    await tx.execute(
      sql`INSERT INTO user_points (guild_id, discord_user_id, ${column}) VALUES (${guildId}, ${userId}, ${after}::bigint)
          ON CONFLICT (guild_id, discord_user_id) DO UPDATE SET ${column} = EXCLUDED.${column}, updated_at = now()`,
    );
    if (audit) {
      const action =
        balance === 'coins'
          ? delta > 0
            ? 'coins_give'
            : 'coins_take'
          : delta > 0
            ? 'points_give'
            : 'points_take';
      await recordAudit(tx, {
        guildId,
        actorId: audit.actorId,
        action,
        targetUserId: userId,
        reason: audit.reason ?? null,
        details: { delta, before, after },
      });
    }
    return after;
  });
}

/**
 * Spends Luxury Coins on a skip: the Discord balance first, then the linked TikTok balance. The
 * spend and the move commit together, or neither does.
 */
export async function buySkip(
  db: Queryable,
  guildId: string,
  userId: string,
  settings: GuildSettings,
): Promise<{ submission: SubmissionRecord; remainingCoins: number; price: number }> {
  const { price, tier } = settings.buySkip;
  return db.transaction(async (tx) => {
    const [discord] = await rowsOf<{ coins: number }>(
      tx,
      sql`SELECT coins FROM user_points WHERE guild_id = ${guildId} AND discord_user_id = ${userId} FOR UPDATE`,
    );
    const [tiktok] = await rowsOf<{ coins: number; tiktok_user_id: string }>(
      tx,
      sql`SELECT coins, tiktok_user_id FROM tiktok_accounts WHERE guild_id = ${guildId} AND discord_user_id = ${userId} FOR UPDATE`,
    );
    const discordCoins = Number(discord?.coins ?? 0);
    const tiktokCoins = Number(tiktok?.coins ?? 0);
    const remaining = spend(discordCoins + tiktokCoins, price);
    const upgraded = await skipLatestWaiting(tx, guildId, userId, tier, SKIP_TIER_AMOUNT[tier]);
    if (!upgraded) {
      const [skipped] = await userPositions(tx, guildId, userId);
      throw new UserFacingError(
        'no_open_submission',
        skipped
          ? `Your song is already in ${TIER_LABELS[skipped.tier]}; a bought ${TIER_LABELS[tier]} moves only a song waiting in Free or Pending Skips. Nothing was spent.`
          : `You need a song waiting in Free or Pending Skips to buy a ${TIER_LABELS[tier]}. Submit one first with /submit.`,
      );
    }
    const fromDiscord = Math.min(discordCoins, price);
    const fromTikTok = price - fromDiscord;
    if (fromDiscord > 0) {
      await tx.execute(
        sql`UPDATE user_points SET coins = coins - ${fromDiscord}::bigint, updated_at = now()
            WHERE guild_id = ${guildId} AND discord_user_id = ${userId}`,
      );
    }
    if (fromTikTok > 0) {
      await tx.execute(
        sql`UPDATE tiktok_accounts SET coins = coins - ${fromTikTok}::bigint
            WHERE guild_id = ${guildId} AND tiktok_user_id = ${tiktok?.tiktok_user_id ?? ''}`,
      );
    }
    await recordAudit(tx, {
      guildId,
      actorId: userId,
      action: 'buy_skip',
      targetUserId: userId,
      submissionId: upgraded.after.id,
      details: { price, from: upgraded.before.tier, to: tier },
    });
    return { submission: upgraded.after, remainingCoins: remaining, price };
  });
}

export interface LeaderboardRow {
  discordUserId: string;
  points: number;
  coins: number;
}

/** Discord users by engagement points (or coins), their linked TikTok balance included. */
export async function leaderboard(
  db: Queryable,
  guildId: string,
  by: 'points' | 'coins',
  limit = 10,
): Promise<LeaderboardRow[]> {
  const rows = await rowsOf<{ discord_user_id: string; points: number; coins: number }>(
    db,
    sql`SELECT u.discord_user_id, sum(u.points)::bigint AS points, sum(u.coins)::bigint AS coins FROM (
          SELECT discord_user_id, points, coins FROM user_points WHERE guild_id = ${guildId}
          UNION ALL
          SELECT discord_user_id, points, coins FROM tiktok_accounts WHERE guild_id = ${guildId} AND discord_user_id IS NOT NULL
        ) u GROUP BY u.discord_user_id
        ORDER BY ${by === 'points' ? sql.raw('points') : sql.raw('coins')} DESC, u.discord_user_id
        LIMIT ${Math.min(Math.max(limit, 1), 50)}`,
  );
  return rows.map((r) => ({
    discordUserId: r.discord_user_id,
    points: Number(r.points),
    coins: Number(r.coins),
  }));
}
