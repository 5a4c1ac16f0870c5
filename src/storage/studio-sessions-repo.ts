import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';

/** Whose studio a sign-in link or session opens, and where its Now reviewing posts go. */
export interface StudioMember {
  guildId: string;
  memberId: string;
  channelId: string;
}

type Row = { guild_id: string; member_id: string; channel_id: string };
const toMember = (row: Row): StudioMember => ({
  guildId: row.guild_id,
  memberId: row.member_id,
  channelId: row.channel_id,
});

/** Stores a sign-in link's digest; expired links and sessions of the guild are dropped on the way. */
export async function storeSignIn(
  db: Queryable,
  member: StudioMember,
  sha256: string,
  ttlMs: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`DELETE FROM studio_sign_ins WHERE guild_id = ${member.guildId} AND expires_at <= now()`,
    );
    await tx.execute(
      sql`DELETE FROM studio_sessions WHERE guild_id = ${member.guildId} AND expires_at <= now()`,
    );
    await tx.execute(
      sql`INSERT INTO studio_sign_ins (token_sha256, guild_id, member_id, channel_id, expires_at)
          VALUES (${sha256}, ${member.guildId}, ${member.memberId}, ${member.channelId},
                  now() + ${ttlMs}::integer * interval '1 millisecond')`,
    );
  });
}

/**
 * Spends a sign-in link and starts a session in one statement: the link row is deleted whether or
 * not it had expired, so a link works at most once even when opened twice at the same moment.
 */
export async function redeemSignIn(
  db: Queryable,
  signInSha256: string,
  sessionSha256: string,
  sessionTtlMs: number,
): Promise<StudioMember | null> {
  const [row] = await rowsOf<Row>(
    db,
    sql`WITH spent AS (
          DELETE FROM studio_sign_ins WHERE token_sha256 = ${signInSha256}
          RETURNING guild_id, member_id, channel_id, expires_at
        )
        INSERT INTO studio_sessions (token_sha256, guild_id, member_id, channel_id, expires_at)
        SELECT ${sessionSha256}, guild_id, member_id, channel_id,
               now() + ${sessionTtlMs}::integer * interval '1 millisecond'
        FROM spent WHERE expires_at > now()
        RETURNING guild_id, member_id, channel_id`,
  );
  return row ? toMember(row) : null;
}

export async function findSession(db: Queryable, sha256: string): Promise<StudioMember | null> {
  const [row] = await rowsOf<Row>(
    db,
    sql`SELECT guild_id, member_id, channel_id FROM studio_sessions
        WHERE token_sha256 = ${sha256} AND expires_at > now()`,
  );
  return row ? toMember(row) : null;
}

export async function endSession(db: Queryable, sha256: string): Promise<void> {
  await db.execute(sql`DELETE FROM studio_sessions WHERE token_sha256 = ${sha256}`);
}

/**
 * Ends every studio session of the guild, and spends its unused sign-in links; returns the sessions'
 * digests, so pages open on them can be closed.
 */
export async function endGuildSessions(db: Queryable, guildId: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM studio_sign_ins WHERE guild_id = ${guildId}`);
    const rows = await rowsOf<{ token_sha256: string }>(
      tx,
      sql`DELETE FROM studio_sessions WHERE guild_id = ${guildId} RETURNING token_sha256`,
    );
    return rows.map((r) => r.token_sha256);
  });
}
