import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';

/**
 * The advisory lock a guild's score sync holds exclusively, and take-next shared, each until its
 * transaction ends: the sync's statement locks Free rows one by one, so a take running meanwhile
 * would skip a head the sync holds and serve a lower song. Takes do not wait for each other.
 */
export function freeOrderGate(guildId: string): SQL {
  return sql`hashtextextended(${`score-sync:${guildId}`}, 0)`;
}

/**
 * Recomputes the score of every open Free submission of a guild in ONE set-based statement
 * (Discord points + linked TikTok points), writing only rows whose score changed. Returns the number
 * of submissions whose score moved. Closes the guild's free-order gate first, so takes of the guild
 * wait until the caller's transaction ends and then see the new order.
 */
export async function syncFreeScores(db: Queryable, guildId: string): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${freeOrderGate(guildId)})`);
    return changedScores(tx, guildId);
  });
}

async function changedScores(db: Queryable, guildId: string): Promise<number> {
  const [row] = await rowsOf<{ changed: number }>(
    db,
    sql`WITH changed AS (
        UPDATE submissions s SET score = fresh.score
        FROM (
          SELECT sub.id, COALESCE(up.points, 0) + COALESCE(ta.points, 0) AS score
          FROM submissions sub
          LEFT JOIN user_points up ON up.guild_id = sub.guild_id AND up.discord_user_id = sub.submitter_id
          LEFT JOIN tiktok_accounts ta ON ta.guild_id = sub.guild_id AND ta.discord_user_id = sub.submitter_id
          WHERE sub.guild_id = ${guildId} AND sub.tier = 'free'
        ) fresh
        WHERE s.id = fresh.id AND s.score <> fresh.score
        RETURNING 1
      )
      SELECT count(*) AS changed FROM changed`,
  );
  return Number(row?.changed ?? 0);
}

/** Guilds with at least one open Free submission: the ones the score sync has work in. */
export async function guildsWithFreeSubmissions(db: Queryable): Promise<string[]> {
  const rows = await rowsOf<{ guild_id: string }>(
    db,
    sql`SELECT DISTINCT guild_id FROM submissions WHERE tier_rank = 5 ORDER BY guild_id`,
  );
  return rows.map((r) => r.guild_id);
}
