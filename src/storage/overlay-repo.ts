import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';
import {
  SUBMISSION_COLS as cols,
  toSubmission,
  type RawRow,
  type SubmissionRecord,
} from './submission-record.js';

/**
 * Which page a secret URL opens: the guild's stream overlay, or the guild's public queue page (which
 * exists only while it is switched on). `ownerId` stays in the key for pages owned by one member.
 */
export type PageSlot = { guildId: string; page: 'overlay' | 'public'; ownerId: '' };

/** A freshly drawn token with the digest it is looked up by. */
export interface IssuedToken {
  token: string;
  sha256: string;
}

/** The slot's token; `candidate` becomes it when the slot has none yet. */
export async function pageToken(db: Queryable, slot: PageSlot, candidate: IssuedToken): Promise<string> {
  const [row] = await rowsOf<{ token: string }>(
    db,
    sql`INSERT INTO page_tokens (guild_id, page, owner_id, token, token_sha256)
        VALUES (${slot.guildId}, ${slot.page}, ${slot.ownerId}, ${candidate.token}, ${candidate.sha256})
        ON CONFLICT (guild_id, page, owner_id) DO UPDATE SET token = page_tokens.token
        RETURNING token`,
  );
  if (!row) throw new Error('page token upsert returned no row');
  return row.token;
}

/** Replaces the slot's token: the previous URL stops working with this commit. */
export async function replacePageToken(db: Queryable, slot: PageSlot, next: IssuedToken): Promise<void> {
  await db.execute(
    sql`INSERT INTO page_tokens (guild_id, page, owner_id, token, token_sha256)
        VALUES (${slot.guildId}, ${slot.page}, ${slot.ownerId}, ${next.token}, ${next.sha256})
        ON CONFLICT (guild_id, page, owner_id)
        DO UPDATE SET token = EXCLUDED.token, token_sha256 = EXCLUDED.token_sha256, created_at = now()`,
  );
}

/** The slot's token if it has one; nothing is drawn (the public page is off until an admin turns it on). */
export async function existingPageToken(db: Queryable, slot: PageSlot): Promise<string | null> {
  const [row] = await rowsOf<{ token: string }>(
    db,
    sql`SELECT token FROM page_tokens
        WHERE guild_id = ${slot.guildId} AND page = ${slot.page} AND owner_id = ${slot.ownerId}`,
  );
  return row?.token ?? null;
}

/** Removes the slot's token: its URL stops working with this commit. True when there was one. */
export async function deletePageToken(db: Queryable, slot: PageSlot): Promise<boolean> {
  const rows = await rowsOf<{ token: string }>(
    db,
    sql`DELETE FROM page_tokens
        WHERE guild_id = ${slot.guildId} AND page = ${slot.page} AND owner_id = ${slot.ownerId}
        RETURNING token`,
  );
  return rows.length > 0;
}

/** The slot whose token has this digest, with the stored token for the final comparison. */
export async function findPageToken(
  db: Queryable,
  sha256: string,
): Promise<{ slot: PageSlot; token: string } | null> {
  const [row] = await rowsOf<{
    guild_id: string;
    page: PageSlot['page'];
    owner_id: string;
    token: string;
  }>(db, sql`SELECT guild_id, page, owner_id, token FROM page_tokens WHERE token_sha256 = ${sha256}`);
  if (!row) return null;
  return { slot: { guildId: row.guild_id, page: row.page, ownerId: '' }, token: row.token };
}

/**
 * The song being reviewed: the one a reviewer took last, while it is still played. Taking is audited,
 * and the audit log is the one record of it that survives a Remove or Restore of that song (both clear
 * `played_at`), after which nothing is being reviewed until the next take.
 */
export async function songUnderReview(db: Queryable, guildId: string): Promise<SubmissionRecord | null> {
  const [row] = await rowsOf<RawRow>(
    db,
    sql`SELECT ${cols} FROM submissions
        WHERE guild_id = ${guildId} AND tier = 'played' AND id = (
          SELECT submission_id FROM audit_log WHERE guild_id = ${guildId} AND action = 'take'
          ORDER BY created_at DESC, id DESC LIMIT 1)`,
  );
  return row ? toSubmission(row) : null;
}
