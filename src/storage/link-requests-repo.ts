import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { UserFacingError } from '../domain/errors.js';
import { LINK_CODE_ALPHABET, LINK_CODE_LENGTH, linkCodeFrom, linkCodesIn } from '../domain/link-codes.js';
import { rowsOf, type Queryable } from './connect.js';
import type { GiftSkipAward } from './gift-skip-claims-repo.js';
import { linkTikTokAccount } from './tiktok-accounts-repo.js';

/**
 * A request that completes when the account first writes in the live chat, code or not (any-handle
 * mode, for an account not seen yet). Its stored code carries this prefix, which a typed code never
 * has, so it still fills the open-code index and is never shown to anyone.
 */
const ON_SIGHT_PREFIX = 'seen:';

export interface LinkRequest {
  code: string;
  handle: string;
  expiresAt: Date;
}

function newCode(): string {
  return linkCodeFrom(Array.from({ length: LINK_CODE_LENGTH }, () => randomInt(LINK_CODE_ALPHABET.length)));
}

/**
 * Issues a link code for `handle`, replacing the member's open requests. Expired requests of the guild
 * are dropped on the way, so their codes can be issued again.
 */
export async function createLinkRequest(
  db: Queryable,
  input: {
    guildId: string;
    discordUserId: string;
    handle: string;
    ttlMinutes: number;
    now: Date;
    completesOnSight?: boolean;
  },
): Promise<LinkRequest> {
  const now = input.now.toISOString();
  const expiresAt = new Date(input.now.getTime() + input.ttlMinutes * 60_000);
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`DELETE FROM link_requests WHERE guild_id = ${input.guildId} AND completed_at IS NULL
          AND (discord_user_id = ${input.discordUserId} OR expires_at <= ${now}::timestamptz)`,
    );
    // A clash with another open code is rare (one in millions); draw again rather than fail.
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newCode();
      const stored = input.completesOnSight ? `${ON_SIGHT_PREFIX}${code}` : code;
      const inserted = await rowsOf<{ id: number }>(
        tx,
        sql`INSERT INTO link_requests (guild_id, discord_user_id, tiktok_handle, code, created_at, expires_at)
            VALUES (${input.guildId}, ${input.discordUserId}, ${input.handle}, ${stored},
              ${now}::timestamptz, ${expiresAt.toISOString()}::timestamptz)
            ON CONFLICT (guild_id, code) WHERE completed_at IS NULL DO NOTHING
            RETURNING id`,
      );
      if (inserted.length > 0) return { code, handle: input.handle, expiresAt };
    }
    throw new UserFacingError('try_again', 'Could not issue a link code; try again.');
  });
}

/** Drops the member's open link requests (after /unlink, a code typed later must not link again). */
export async function cancelLinkRequests(
  db: Queryable,
  guildId: string,
  discordUserId: string,
): Promise<void> {
  await db.execute(
    sql`DELETE FROM link_requests WHERE guild_id = ${guildId} AND discord_user_id = ${discordUserId} AND completed_at IS NULL`,
  );
}

/** A link completed from the live chat, with the skip the account's earlier gifts earned (if any). */
export interface ChatLink {
  discordUserId: string;
  handle: string;
  giftSkip: GiftSkipAward | null;
}

/**
 * Called for every live chat message: when it carries an open, unexpired code issued for the
 * chatting account's handle (or the account has an on-sight request), the account is linked to the
 * member who asked. Returns who was linked, or null. A message that cannot link changes nothing.
 */
export async function completeLinkFromChat(
  db: Queryable,
  input: { guildId: string; tiktokUserId: string; handle: string; text: string; now: Date },
): Promise<ChatLink | null> {
  // Most chat messages link nothing: find that out without opening a transaction.
  if (!(await openRequestFor(db, input, false))) return null;
  return db.transaction(async (tx) => {
    const request = await openRequestFor(tx, input, true);
    if (!request) return null;
    // Chat ingestion may record the account after this call; the link needs its row either way.
    await tx.execute(
      sql`INSERT INTO tiktok_accounts (guild_id, tiktok_user_id, handle)
          VALUES (${input.guildId}, ${input.tiktokUserId}, ${input.handle})
          ON CONFLICT (guild_id, tiktok_user_id) DO NOTHING`,
    );
    let giftSkip: GiftSkipAward | null;
    try {
      ({ giftSkip } = await linkTikTokAccount(tx, {
        guildId: input.guildId,
        discordUserId: request.discord_user_id,
        tiktokUserId: input.tiktokUserId,
        actorId: request.discord_user_id,
        forced: false,
      }));
    } catch (error) {
      // Someone else holds the account: the request stays open until it expires.
      if (error instanceof UserFacingError) return null;
      throw error;
    }
    await tx.execute(
      sql`UPDATE link_requests SET completed_at = ${input.now.toISOString()}::timestamptz,
            tiktok_user_id = ${input.tiktokUserId}
          WHERE id = ${request.id}`,
    );
    return { discordUserId: request.discord_user_id, handle: input.handle, giftSkip };
  });
}

async function openRequestFor(
  db: Queryable,
  input: { guildId: string; handle: string; text: string; now: Date },
  lock: boolean,
): Promise<{ id: number; discord_user_id: string } | undefined> {
  const [request] = await rowsOf<{ id: number; discord_user_id: string }>(
    db,
    sql`SELECT id, discord_user_id FROM link_requests
        WHERE guild_id = ${input.guildId} AND completed_at IS NULL
          AND expires_at > ${input.now.toISOString()}::timestamptz
          AND lower(tiktok_handle) = lower(${input.handle})
          AND (code = ANY(${sql.param(linkCodesIn(input.text))}::text[]) OR code LIKE ${`${ON_SIGHT_PREFIX}%`})
        ORDER BY created_at DESC, id DESC LIMIT 1${lock ? sql` FOR UPDATE` : sql``}`,
  );
  return request;
}
