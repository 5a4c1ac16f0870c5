import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';
import { inFree, memberScore } from './sql-rules.js';

/**
 * The advisory lock a guild's score sync holds exclusively, and take-next and every entry into Free
 * (trigger free_order_enter) shared, each until its transaction ends. A take meanwhile would take
 * from the generation being replaced; an entry would join it and be dropped with it. Holders of
 * the shared lock do not wait for each other.
 */
export function freeOrderGate(guildId: string): SQL {
  return sql`hashtextextended(${`score-sync:${guildId}`}, 0)`;
}

/**
 * Recomputes the score of every open Free submission of a guild (Discord points + linked TikTok
 * points) and, in ONE set-based statement, writes the guild's Free order anew as the next generation
 * of `free_order` when anything differs from what the current one was built from; then drops the
 * old generation. Returns how many submissions the new generation ranks, 0 when nothing changed.
 * Closes the guild's free-order gate first, so takes and entries into Free of the guild wait until
 * the caller's transaction ends and then see the new order.
 */
export async function syncFreeScores(db: Queryable, guildId: string): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${freeOrderGate(guildId)})`);
    // The rebuild sorts every Free row; 4 MB (the default) spills 100k of them to disk.
    await tx.execute(sql`SET LOCAL work_mem = '32MB'`);
    return rebuildFreeOrder(tx, guildId);
  });
}

async function rebuildFreeOrder(db: Queryable, guildId: string): Promise<number> {
  const [row] = await rowsOf<{ ranked: number }>(
    db,
    sql`WITH fresh AS MATERIALIZED (
          SELECT s.id, s.submitted_at, s.tier_since, ${memberScore(sql`up.points`, sql`ta.points`)} AS score
          FROM submissions s
          LEFT JOIN user_points up ON up.guild_id = s.guild_id AND up.discord_user_id = s.submitter_id
          LEFT JOIN tiktok_accounts ta ON ta.guild_id = s.guild_id AND ta.discord_user_id = s.submitter_id
          WHERE s.guild_id = ${guildId} AND ${inFree('s.tier_rank')}
        ),
        digest AS (
          SELECT COALESCE(bit_xor(hashtextextended(
            concat_ws(':', id, score, (extract(epoch FROM tier_since) * 1000000)::bigint), 0)), 0) AS checksum
          FROM fresh
        ),
        bumped AS (
          INSERT INTO free_order_generations AS g (guild_id, generation, checksum)
          SELECT ${guildId}, 1, checksum FROM digest
          ON CONFLICT (guild_id) DO UPDATE SET generation = g.generation + 1, checksum = EXCLUDED.checksum
            WHERE g.checksum <> EXCLUDED.checksum
          RETURNING generation
        ),
        ranked AS (
          INSERT INTO free_order (guild_id, generation, score, submitted_at, submission_id, free_since)
          SELECT ${guildId}, bumped.generation, fresh.score, fresh.submitted_at, fresh.id, fresh.tier_since
          FROM fresh, bumped
          -- In index order: every row lands at the right edge of free_order_serving.
          ORDER BY fresh.score DESC, fresh.submitted_at, fresh.id
          RETURNING 1
        ),
        dropped AS (
          DELETE FROM free_order WHERE guild_id = ${guildId} AND generation < (SELECT generation FROM bumped)
        )
        SELECT count(*) AS ranked FROM ranked`,
  );
  return Number(row?.ranked ?? 0);
}

/** Guilds with at least one open Free submission: the ones the score sync has work in. */
export async function guildsWithFreeSubmissions(db: Queryable): Promise<string[]> {
  const rows = await rowsOf<{ guild_id: string }>(
    db,
    sql`SELECT DISTINCT guild_id FROM submissions WHERE ${inFree()} ORDER BY guild_id`,
  );
  return rows.map((r) => r.guild_id);
}
