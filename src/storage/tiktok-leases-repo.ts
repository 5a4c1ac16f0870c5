import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';
import { textArrayLiteral } from './pg-array.js';
import { toDate } from './rows.js';

/**
 * Leases on servers' TikTok LIVE connections: one process holds each. Expiry is computed by the
 * database's clock, so processes on machines whose clocks differ still agree on it.
 */
export interface TikTokLease {
  guildId: string;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
  /** When this holder's connection last went live; null until it has (see markTikTokLeaseConnected). */
  connectedAt: Date | null;
}

/**
 * Claims or renews the leases of `guildIds` for `owner`, for `ttlMs` from now, in one statement: each
 * one `owner` holds is renewed, and of the free ones (never held, or expired) at most `maxNew` are
 * taken, in an order of the owner's own so processes claiming together tend to pick different ones.
 * A lease held by another owner is taken only once it has expired. Returns the guild ids `owner`
 * holds afterwards, sorted.
 */
export async function claimTikTokLeases(
  db: Queryable,
  owner: string,
  guildIds: readonly string[],
  ttlMs: number,
  maxNew = 2_147_483_647,
): Promise<string[]> {
  if (guildIds.length === 0) return [];
  const ids = textArrayLiteral(guildIds);
  const rows = await rowsOf<{ guild_id: string }>(
    db,
    sql`INSERT INTO tiktok_leases AS l (guild_id, owner, expires_at)
        SELECT g, ${owner}, now() + ${ttlMs} * interval '1 millisecond'
        FROM unnest(${ids}::text[]) AS g
        WHERE EXISTS (SELECT 1 FROM tiktok_leases m WHERE m.guild_id = g AND m.owner = ${owner})
           OR g IN (
             SELECT f FROM unnest(${ids}::text[]) AS f
             WHERE NOT EXISTS (SELECT 1 FROM tiktok_leases o WHERE o.guild_id = f AND o.expires_at >= now())
             ORDER BY md5(f || ${owner})
             LIMIT ${Math.max(0, Math.floor(maxNew))}
           )
        ON CONFLICT (guild_id) DO UPDATE
          SET owner = EXCLUDED.owner,
              expires_at = EXCLUDED.expires_at,
              acquired_at = CASE WHEN l.owner = EXCLUDED.owner THEN l.acquired_at ELSE now() END,
              connected_at = CASE WHEN l.owner = EXCLUDED.owner THEN l.connected_at END
          WHERE l.owner = EXCLUDED.owner OR l.expires_at < now()
        RETURNING guild_id`,
  );
  return rows.map((r) => r.guild_id).sort();
}

/**
 * Marks `owner` as running for `ttlMs` more, drops rows of processes that stopped renewing, and
 * returns how many processes run now, `owner` included.
 */
export async function heartbeatBotProcess(db: Queryable, owner: string, ttlMs: number): Promise<number> {
  // The statements of one WITH see the table as it was before any of them: count the others only.
  const [row] = await rowsOf<{ others: number }>(
    db,
    sql`WITH beat AS (
          INSERT INTO bot_processes (owner, expires_at) VALUES (${owner}, now() + ${ttlMs} * interval '1 millisecond')
          ON CONFLICT (owner) DO UPDATE SET expires_at = EXCLUDED.expires_at
          RETURNING owner
        ), gone AS (
          DELETE FROM bot_processes WHERE expires_at < now() RETURNING owner
        )
        SELECT count(*)::int AS others FROM bot_processes WHERE owner <> ${owner} AND expires_at >= now()`,
  );
  return 1 + Number(row?.others ?? 0);
}

/** A stopping process leaves at once, so the others take its share without waiting for expiry. */
export async function leaveBotProcesses(db: Queryable, owner: string): Promise<void> {
  await db.execute(sql`DELETE FROM bot_processes WHERE owner = ${owner}`);
}

/** Gives up `owner`'s leases (all of them, or those of `guildIds`) so another process may take them. */
export async function releaseTikTokLeases(
  db: Queryable,
  owner: string,
  guildIds?: readonly string[],
): Promise<void> {
  if (guildIds === undefined) {
    await db.execute(sql`DELETE FROM tiktok_leases WHERE owner = ${owner}`);
  } else if (guildIds.length > 0) {
    await db.execute(
      sql`DELETE FROM tiktok_leases
          WHERE owner = ${owner} AND guild_id = ANY(${textArrayLiteral(guildIds)}::text[])`,
    );
  }
}

/**
 * Offers `owner`'s leases of `guildIds` to the other processes: they expire now, so the next claim of
 * another process takes them, while `owner` (still connected) stops renewing them.
 */
export async function offerTikTokLeases(
  db: Queryable,
  owner: string,
  guildIds: readonly string[],
): Promise<void> {
  if (guildIds.length === 0) return;
  await db.execute(
    sql`UPDATE tiktok_leases SET expires_at = now() - interval '1 millisecond'
        WHERE owner = ${owner} AND guild_id = ANY(${textArrayLiteral(guildIds)}::text[])`,
  );
}

/** Drops every lease: only for the embedded database, which one process opens at a time. */
export async function clearTikTokLeases(db: Queryable): Promise<void> {
  await db.execute(sql`DELETE FROM tiktok_leases`);
  await db.execute(sql`DELETE FROM bot_processes`);
}

/**
 * `owner`'s connection to `guildId`'s LIVE went live: a process giving that LIVE up may now leave
 * (see TikTokLives). Nothing changes when `owner` no longer holds the lease.
 */
export async function markTikTokLeaseConnected(db: Queryable, owner: string, guildId: string): Promise<void> {
  await db.execute(
    sql`UPDATE tiktok_leases SET connected_at = now() WHERE guild_id = ${guildId} AND owner = ${owner}`,
  );
}

/** The unexpired lease on `guildId`'s LIVE, if a process holds one. */
export async function findTikTokLease(db: Queryable, guildId: string): Promise<TikTokLease | null> {
  const [row] = await rowsOf<{
    guild_id: string;
    owner: string;
    acquired_at: unknown;
    expires_at: unknown;
    connected_at: unknown;
  }>(
    db,
    sql`SELECT guild_id, owner, acquired_at, expires_at, connected_at FROM tiktok_leases
        WHERE guild_id = ${guildId} AND expires_at >= now()`,
  );
  if (!row) return null;
  return {
    guildId: row.guild_id,
    owner: row.owner,
    acquiredAt: toDate(row.acquired_at),
    expiresAt: toDate(row.expires_at),
    connectedAt: row.connected_at === null ? null : toDate(row.connected_at),
  };
}
