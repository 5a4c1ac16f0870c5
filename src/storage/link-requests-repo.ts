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

/** A chat message the ingest batch just recorded: who wrote it, under which handle then, and what. */
export interface ChatComment {
  tiktokUserId: string;
  handle: string;
  text: string;
}

interface OpenRequest {
  id: number;
  discord_user_id: string;
  handle: string;
  code: string;
}

/**
 * Completes the link requests a batch's chat messages answer, inside the ingest transaction: a code
 * typed in the chat then commits (or is retried) with the message itself, and a replayed message,
 * not recorded again, completes nothing again. ONE query, whatever the number of messages, finds the
 * open, unexpired requests issued for the handles that wrote (usually none). A message completes at
 * most one request: the newest for its handle whose code it carries, or an on-sight one.
 */
export async function completeChatLinks(
  tx: Queryable,
  guildId: string,
  comments: readonly ChatComment[],
  now: Date,
): Promise<ChatLink[]> {
  const withHandle = comments.filter((c) => c.handle !== '');
  if (withHandle.length === 0) return [];
  const handles = [...new Set(withHandle.map((c) => c.handle.toLowerCase()))];
  const codes = [...new Set(withHandle.flatMap((c) => linkCodesIn(c.text)))];
  const open = await rowsOf<OpenRequest>(
    tx,
    sql`SELECT id, discord_user_id, lower(tiktok_handle) AS handle, code FROM link_requests
        WHERE guild_id = ${guildId} AND completed_at IS NULL
          AND expires_at > ${now.toISOString()}::timestamptz
          AND lower(tiktok_handle) = ANY(${sql.param(handles)}::text[])
          AND (code = ANY(${sql.param(codes)}::text[]) OR code LIKE ${`${ON_SIGHT_PREFIX}%`})
        ORDER BY created_at DESC, id DESC`,
  );
  const links: ChatLink[] = [];
  const tried = new Set<number>();
  for (const comment of withHandle) {
    if (tried.size === open.length) break;
    const handle = comment.handle.toLowerCase();
    const typed = linkCodesIn(comment.text);
    const request = open.find(
      (r) =>
        !tried.has(r.id) &&
        r.handle === handle &&
        (r.code.startsWith(ON_SIGHT_PREFIX) || typed.includes(r.code)),
    );
    if (!request) continue;
    tried.add(request.id);
    const link = await completeRequest(tx, guildId, request, comment, now);
    if (link) links.push(link);
  }
  return links;
}

/**
 * Links the account to the member who asked, in a savepoint: when someone else holds the account
 * (a UserFacingError), only this attempt is undone, the request stays open until it expires, and the
 * batch still commits.
 */
async function completeRequest(
  tx: Queryable,
  guildId: string,
  request: OpenRequest,
  comment: ChatComment,
  now: Date,
): Promise<ChatLink | null> {
  try {
    return await tx.transaction(async (sp) => {
      // The member may have asked again (which deletes this request) since the batch read it.
      const [locked] = await rowsOf<{ id: number }>(
        sp,
        sql`SELECT id FROM link_requests WHERE id = ${request.id} AND completed_at IS NULL FOR UPDATE`,
      );
      if (!locked) return null;
      // The batch records the writers it is given; a link must not depend on the caller passing them.
      await sp.execute(
        sql`INSERT INTO tiktok_accounts (guild_id, tiktok_user_id, handle)
            VALUES (${guildId}, ${comment.tiktokUserId}, ${comment.handle})
            ON CONFLICT (guild_id, tiktok_user_id) DO NOTHING`,
      );
      const { giftSkip } = await linkTikTokAccount(sp, {
        guildId,
        discordUserId: request.discord_user_id,
        tiktokUserId: comment.tiktokUserId,
        actorId: request.discord_user_id,
        forced: false,
      });
      await sp.execute(
        sql`UPDATE link_requests SET completed_at = ${now.toISOString()}::timestamptz,
              tiktok_user_id = ${comment.tiktokUserId}
            WHERE id = ${request.id}`,
      );
      return { discordUserId: request.discord_user_id, handle: comment.handle, giftSkip };
    });
  } catch (error) {
    if (error instanceof UserFacingError) return null;
    throw error;
  }
}
