import { sql } from 'drizzle-orm';
import { giftToSkipTier, SKIP_TIER_AMOUNT, type GiftSkipThresholds } from '../domain/skips.js';
import { tierRank, type SkipTier } from '../domain/tiers.js';
import { recordAudit } from './audit-repo.js';
import { rowsOf, type Queryable } from './connect.js';
import { int8ArrayLiteral, textArrayLiteral } from './pg-array.js';
import { OPEN } from './sql-rules.js';
import { upgradeLatestOpen } from './queue-moves.js';
import type { SubmissionRecord } from './submission-record.js';

/**
 * What a skip-sized gift did:
 * - `upgraded`: the linked member's latest open submission moved up to the gift's tier;
 * - `credited`: the linked member had nothing queued, so their next submission gets the skip;
 * - `claimable`: the viewer is not linked yet; the skip waits until they link (applyGiftSkipClaims);
 * - `kept`: their song already sits in that tier or higher (a skip never downgrades).
 */
export type GiftSkipOutcome =
  | { kind: 'upgraded'; before: SubmissionRecord; after: SubmissionRecord }
  | { kind: 'credited' }
  | { kind: 'claimable' }
  | { kind: 'kept' };

export interface GiftSkipAward {
  tiktokUserId: string;
  handle: string;
  discordUserId: string | null;
  tier: SkipTier;
  giftValue: number;
  outcome: GiftSkipOutcome;
}

/** Who sent a gift, as held by the ingest transaction. */
export interface GiftSender {
  handle: string;
  discord_user_id: string | null;
}

/** The audit actor for skips the bot grants on TikTok's word. */
const GIFT_ACTOR = 'tiktok';

/**
 * Turns gifts that reach a skip threshold into skips, inside the ingest transaction. A gift below
 * every threshold does nothing; a streak counts at its total value. The claims of unlinked viewers go
 * in as ONE statement: a busy LIVE sends many big gifts, and one insert each (a round trip apiece
 * while the batch's transaction holds its connection and row locks) kept ingest transactions open
 * for seconds under load (bench/load.bench.ts).
 */
export async function awardGiftSkips(
  tx: Queryable,
  guildId: string,
  gifts: readonly { tiktokUserId: string; value: number }[],
  senders: ReadonlyMap<string, GiftSender>,
  thresholds: GiftSkipThresholds,
): Promise<GiftSkipAward[]> {
  const pending: (Omit<GiftSkipAward, 'outcome'> & { outcome?: GiftSkipOutcome })[] = [];
  for (const gift of gifts) {
    const tier = giftToSkipTier(gift.value, thresholds);
    if (tier === null) continue;
    const sender = senders.get(gift.tiktokUserId);
    pending.push({
      tiktokUserId: gift.tiktokUserId,
      handle: sender?.handle ?? '',
      discordUserId: sender?.discord_user_id ?? null,
      tier,
      giftValue: gift.value,
    });
  }
  const claims = pending.filter((a) => a.discordUserId === null);
  if (claims.length > 0) {
    await tx.execute(
      sql`INSERT INTO gift_skip_claims (guild_id, tiktok_user_id, tier, gift_value)
          SELECT ${guildId}, c.user_id, c.tier, c.value
          FROM unnest(${textArrayLiteral(claims.map((c) => c.tiktokUserId))}::text[],
                      ${textArrayLiteral(claims.map((c) => c.tier))}::text[],
                      ${int8ArrayLiteral(claims.map((c) => c.giftValue))}::int8[]) AS c(user_id, tier, value)`,
    );
    for (const claim of claims) claim.outcome = { kind: 'claimable' };
  }
  for (const award of pending) {
    if (award.discordUserId === null) continue;
    award.outcome = await grantSkip(tx, guildId, award.discordUserId, award.tier, {
      tiktokUserId: award.tiktokUserId,
      giftValue: award.giftValue,
    });
  }
  return pending.map((award) => ({ ...award, outcome: award.outcome! }));
}

/**
 * Applies the skips a TikTok account earned before it was linked to `discordUserId`: the best one
 * (highest tier) upgrades their latest open submission, or becomes a skip credit for their next one.
 * Every waiting claim is used up. Returns null when there was nothing to claim.
 */
export async function applyGiftSkipClaims(
  db: Queryable,
  guildId: string,
  tiktokUserId: string,
  discordUserId: string,
): Promise<GiftSkipAward | null> {
  return db.transaction(async (tx) => {
    const claims = await rowsOf<{ tier: SkipTier; gift_value: number; handle: string | null }>(
      tx,
      sql`UPDATE gift_skip_claims c SET claimed_at = now(), claimed_by = ${discordUserId}
          WHERE c.guild_id = ${guildId} AND c.tiktok_user_id = ${tiktokUserId} AND c.claimed_at IS NULL
          RETURNING c.tier, c.gift_value,
            (SELECT handle FROM tiktok_accounts a WHERE a.guild_id = c.guild_id AND a.tiktok_user_id = c.tiktok_user_id)`,
    );
    const best = claims.reduce<(typeof claims)[number] | undefined>(
      (top, c) =>
        !top ||
        tierRank(c.tier) < tierRank(top.tier) ||
        (c.tier === top.tier && Number(c.gift_value) > Number(top.gift_value))
          ? c
          : top,
      undefined,
    );
    if (!best) return null;
    const giftValue = Number(best.gift_value);
    const outcome = await grantSkip(tx, guildId, discordUserId, best.tier, {
      tiktokUserId,
      giftValue,
      claimed: true,
    });
    return { tiktokUserId, handle: best.handle ?? '', discordUserId, tier: best.tier, giftValue, outcome };
  });
}

async function grantSkip(
  tx: Queryable,
  guildId: string,
  discordUserId: string,
  tier: SkipTier,
  details: { tiktokUserId: string; giftValue: number; claimed?: boolean },
): Promise<GiftSkipOutcome> {
  const moved = await upgradeLatestOpen(tx, guildId, discordUserId, tier, SKIP_TIER_AMOUNT[tier]);
  if (moved) {
    await recordAudit(tx, {
      guildId,
      actorId: GIFT_ACTOR,
      action: 'gift_skip',
      targetUserId: discordUserId,
      submissionId: moved.after.id,
      details: { ...details, from: moved.before.tier, to: tier },
    });
    return { kind: 'upgraded', before: moved.before, after: moved.after };
  }
  const [open] = await rowsOf<{ one: number }>(
    tx,
    sql`SELECT 1 AS one FROM submissions
        WHERE guild_id = ${guildId} AND submitter_id = ${discordUserId} AND ${OPEN} LIMIT 1`,
  );
  if (open) return { kind: 'kept' };
  await tx.execute(
    sql`INSERT INTO skip_credits (guild_id, discord_user_id, tier, skip_amount)
        VALUES (${guildId}, ${discordUserId}, ${tier}, ${SKIP_TIER_AMOUNT[tier]})`,
  );
  await recordAudit(tx, {
    guildId,
    actorId: GIFT_ACTOR,
    action: 'gift_skip',
    targetUserId: discordUserId,
    details: { ...details, credit: tier },
  });
  return { kind: 'credited' };
}
