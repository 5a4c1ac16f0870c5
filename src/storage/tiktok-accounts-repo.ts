import { sql } from 'drizzle-orm';
import { UserFacingError } from '../domain/errors.js';
import { applyGiftSkipClaims, type GiftSkipAward } from './gift-skip-claims-repo.js';
import { recordAudit } from './audit-repo.js';
import { rowsOf, type Queryable } from './connect.js';

/** A TikTok account seen in this guild's lives, and the Discord member it is linked to, if any. */
export interface TikTokAccount {
  tiktokUserId: string;
  handle: string;
  nickname: string;
  discordUserId: string | null;
}

interface AccountRow {
  tiktok_user_id: string;
  handle: string;
  nickname: string;
  discord_user_id: string | null;
}

const ACCOUNT_COLS = sql`tiktok_user_id, handle, nickname, discord_user_id`;

function toAccount(row: AccountRow): TikTokAccount {
  return {
    tiktokUserId: row.tiktok_user_id,
    handle: row.handle,
    nickname: row.nickname,
    discordUserId: row.discord_user_id,
  };
}

/** `_` and `%` in a typed prefix are literal characters of a handle, not LIKE wildcards. */
function likePrefix(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Accounts of this guild whose handle starts with `prefix` (case-insensitive), for autocomplete. */
export async function searchAccounts(
  db: Queryable,
  guildId: string,
  prefix: string,
  limit = 25,
): Promise<TikTokAccount[]> {
  const rows = await rowsOf<AccountRow>(
    db,
    sql`SELECT ${ACCOUNT_COLS} FROM tiktok_accounts
        WHERE guild_id = ${guildId} AND lower(handle) LIKE ${likePrefix(prefix.trim().replace(/^@/, ''))}
        ORDER BY lower(handle) COLLATE "C", tiktok_user_id
        LIMIT ${Math.min(Math.max(limit, 1), 25)}`,
  );
  return rows.map(toAccount);
}

/**
 * The account using `handle` in this guild. TikTok users can rename themselves, so two rows may have
 * carried the same handle: the one seen most recently holds it.
 */
export async function findAccountByHandle(
  db: Queryable,
  guildId: string,
  handle: string,
): Promise<TikTokAccount | null> {
  const [row] = await rowsOf<AccountRow>(
    db,
    sql`SELECT ${ACCOUNT_COLS} FROM tiktok_accounts
        WHERE guild_id = ${guildId} AND lower(handle) = lower(${handle})
        ORDER BY last_seen_at DESC, tiktok_user_id LIMIT 1`,
  );
  return row ? toAccount(row) : null;
}

export async function findLinkedAccount(
  db: Queryable,
  guildId: string,
  discordUserId: string,
): Promise<TikTokAccount | null> {
  const [row] = await rowsOf<AccountRow>(
    db,
    sql`SELECT ${ACCOUNT_COLS} FROM tiktok_accounts WHERE guild_id = ${guildId} AND discord_user_id = ${discordUserId}`,
  );
  return row ? toAccount(row) : null;
}

export interface LinkResult {
  account: TikTokAccount;
  /** The handle the Discord user was linked to before, now unlinked (one account per user). */
  replacedHandle: string | null;
  /** Who held the account before an admin's forced link moved it. */
  previousOwnerId: string | null;
  /** A skip the account earned with gifts before it was linked, applied now. */
  giftSkip: GiftSkipAward | null;
}

/**
 * The one way a TikTok account gets linked to a Discord member (chat code, any-handle mode, admin).
 * A member keeps one account: linking another replaces the old link. An account someone else holds
 * is refused, unless an admin forces it (then the audit entry names the previous holder).
 */
export async function linkTikTokAccount(
  db: Queryable,
  input: { guildId: string; discordUserId: string; tiktokUserId: string; actorId: string; forced: boolean },
): Promise<LinkResult> {
  const { guildId, discordUserId, tiktokUserId } = input;
  return db.transaction(async (tx) => {
    // Serialises links of one member, so two at once cannot both pass and break the unique index.
    await tx.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`tiktok-link:${guildId}:${discordUserId}`}, 0))`,
    );
    const [row] = await rowsOf<AccountRow>(
      tx,
      sql`SELECT ${ACCOUNT_COLS} FROM tiktok_accounts
          WHERE guild_id = ${guildId} AND tiktok_user_id = ${tiktokUserId} FOR UPDATE`,
    );
    if (!row) {
      throw new UserFacingError(
        'unknown_account',
        'That TikTok account has not been seen in a live here yet.',
      );
    }
    const account = toAccount(row);
    if (account.discordUserId === discordUserId) {
      return { account, replacedHandle: null, previousOwnerId: null, giftSkip: null };
    }
    if (account.discordUserId !== null && !input.forced) {
      throw new UserFacingError(
        'already_linked',
        `@${account.handle} is already linked to another member. If it is yours, ask an admin to link it.`,
      );
    }
    const [replaced] = await rowsOf<{ handle: string }>(
      tx,
      sql`UPDATE tiktok_accounts SET discord_user_id = NULL, linked_at = NULL
          WHERE guild_id = ${guildId} AND discord_user_id = ${discordUserId} RETURNING handle`,
    );
    await tx.execute(
      sql`UPDATE tiktok_accounts SET discord_user_id = ${discordUserId}, linked_at = now()
          WHERE guild_id = ${guildId} AND tiktok_user_id = ${tiktokUserId}`,
    );
    await recordAudit(tx, {
      guildId,
      actorId: input.actorId,
      action: input.forced ? 'force_link' : 'link',
      targetUserId: discordUserId,
      details: {
        tiktokUserId,
        handle: account.handle,
        previousOwnerId: account.discordUserId,
        replacedHandle: replaced?.handle ?? null,
      },
    });
    // Every link path goes through here, so gift skips earned while unlinked are never missed.
    const giftSkip = await applyGiftSkipClaims(tx, guildId, tiktokUserId, discordUserId);
    return {
      account: { ...account, discordUserId },
      replacedHandle: replaced?.handle ?? null,
      previousOwnerId: account.discordUserId,
      giftSkip,
    };
  });
}

/** Unlinks the member's TikTok account; its balances stay with the account. Null when none was linked. */
export async function unlinkTikTokAccount(
  db: Queryable,
  input: { guildId: string; discordUserId: string; actorId: string },
): Promise<TikTokAccount | null> {
  return db.transaction(async (tx) => {
    const [row] = await rowsOf<AccountRow>(
      tx,
      sql`UPDATE tiktok_accounts SET discord_user_id = NULL, linked_at = NULL
          WHERE guild_id = ${input.guildId} AND discord_user_id = ${input.discordUserId}
          RETURNING ${ACCOUNT_COLS}`,
    );
    if (!row) return null;
    await recordAudit(tx, {
      guildId: input.guildId,
      actorId: input.actorId,
      action: 'unlink',
      targetUserId: input.discordUserId,
      details: { tiktokUserId: row.tiktok_user_id, handle: row.handle },
    });
    return toAccount({ ...row, discord_user_id: null });
  });
}
