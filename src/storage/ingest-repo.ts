import { sql, type SQL } from 'drizzle-orm';
import type { GuildSettings } from '../domain/guild-settings.js';
import type { InteractionKind } from '../domain/interactions.js';
import { giftPoints, type PointRates } from '../domain/points.js';
import { addToTally, BALANCE_CAP } from './balance-cap.js';
import { rowsOf, type Db, type Queryable } from './connect.js';
import { int8ArrayLiteral, textArrayLiteral } from './pg-array.js';
import { storableJson, storableText } from './pg-text.js';
import { carriedUnits, carryOf, coinsOf } from './sql-rules.js';
import { awardGiftSkips, type GiftSender, type GiftSkipAward } from './gift-skip-claims-repo.js';
import { completeChatLinks, type ChatComment, type ChatLink } from './link-requests-repo.js';

/** One TikTok message as stored in `interactions`, with the points it earns if it is new. */
export interface InteractionRecord {
  msgId: string;
  kind: InteractionKind;
  tiktokUserId: string | null;
  amount: number;
  points: number;
  /**
   * TikTok coins this message gifts on its own: a gift that does not streak (its `amount` too).
   * Streak updates carry 0; a streak counts when it settles.
   */
  giftValue: number;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/** A TikTok account seen in the batch, with what it called itself at the time. */
export interface SeenAccount {
  tiktokUserId: string;
  handle: string;
  nickname: string;
  at: Date;
}

/** A gift streak to credit at `repeatCount`; only the part beyond what was credited before counts. */
export interface StreakCredit {
  key: string;
  tiktokUserId: string;
  giftId: number;
  diamondCount: number;
  repeatCount: number;
  startedAt: Date;
}

export interface IngestBatch {
  guildId: string;
  sessionId: number | null;
  interactions: InteractionRecord[];
  /** Every account the interactions and streaks name (credits go to accounts held by this batch). */
  accounts: SeenAccount[];
  streaks: StreakCredit[];
  settings: GuildSettings;
  now: Date;
}

/** A gift that counted in this batch: a single gift, or a streak at its new total. */
export interface CreditedGift {
  tiktokUserId: string;
  /** The whole gift's (or streak's) TikTok coin value, which is what buys a skip. */
  value: number;
}

export interface IngestResult {
  /** Messages stored now; the others were already recorded (a replay) and earned nothing again. */
  recorded: InteractionRecord[];
  gifts: CreditedGift[];
  coinsAwarded: number;
  skips: GiftSkipAward[];
  /** Link codes typed in the recorded chat messages, completed in this batch's transaction. */
  links: ChatLink[];
}

/**
 * Records one batch of TikTok messages in one transaction and credits ONLY the messages actually
 * inserted: `interactions` is unique on (guild, msg_id), and TikTok replays its last batch on every
 * reconnect with the same ids, so a replay inserts nothing and earns nothing. Set-based: one statement
 * records the messages and credits every account; streaks and skips add a few only when present, and
 * a batch with chat messages adds one query for link codes (see completeChatLinks). Links complete
 * in the same transaction, so a code typed in the chat is retried with its batch, never lost after it.
 */
export async function recordIngestBatch(db: Db, batch: IngestBatch): Promise<IngestResult> {
  const interactions = uniqueBy(batch.interactions, (i) => i.msgId);
  const accounts = latestSighting(batch.accounts);
  return db.transaction(async (tx) => {
    const streaks = batch.streaks.length > 0 ? await creditStreaks(tx, batch, batch.settings.points) : [];
    const { recordedIds, senders, coinsAwarded } = await recordAndCredit(
      tx,
      batch,
      interactions,
      accounts,
      streaks,
    );
    const recorded = interactions.filter((i) => recordedIds.has(i.msgId));
    const gifts: CreditedGift[] = [
      ...recorded
        .filter((r) => r.kind === 'gift' && r.giftValue > 0 && r.tiktokUserId !== null)
        .map((r) => ({ tiktokUserId: r.tiktokUserId as string, value: r.giftValue })),
      ...streaks.map((s) => ({ tiktokUserId: s.tiktokUserId, value: s.totalValue })),
    ];
    const skips =
      batch.settings.autoGiftSkips && gifts.length > 0
        ? await awardGiftSkips(tx, batch.guildId, gifts, senders, batch.settings.giftSkipThresholds)
        : [];
    // After the skips: a gift and a code in one batch leave a claim that the link then applies.
    const links = await completeChatLinks(tx, batch.guildId, chatComments(recorded), batch.now);
    return { recorded, gifts, coinsAwarded, skips, links };
  });
}

/** The recorded chat messages, read back from the payload interactionRecord gives a comment. */
function chatComments(recorded: readonly InteractionRecord[]): ChatComment[] {
  const comments: ChatComment[] = [];
  for (const r of recorded) {
    if (r.kind !== 'comment' || r.tiktokUserId === null) continue;
    const { text, handle } = r.payload;
    comments.push({
      tiktokUserId: r.tiktokUserId,
      handle: typeof handle === 'string' ? storableText(handle) : '',
      text: typeof text === 'string' ? storableText(text) : '',
    });
  }
  return comments;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One row per account (ON CONFLICT DO UPDATE may touch a row once per statement): its latest sighting. */
function latestSighting(accounts: readonly SeenAccount[]): SeenAccount[] {
  const latest = new Map<string, SeenAccount>();
  for (const a of accounts) {
    const known = latest.get(a.tiktokUserId);
    if (!known || a.at >= known.at)
      latest.set(a.tiktokUserId, known && !a.handle ? { ...a, handle: known.handle } : a);
  }
  return [...latest.values()].sort((a, b) => (a.tiktokUserId < b.tiktokUserId ? -1 : 1));
}

interface StreakIncrement {
  key: string;
  repeatCount: number;
  tiktokUserId: string;
  /** TikTok coins not credited before. */
  value: number;
  points: number;
  /** The streak's whole value so far. */
  totalValue: number;
}

/**
 * Works out each streak's growth since it was last credited; recordAndCredit writes the new counts in
 * its statement. One statement makes the rows exist and locks them: an insert that, on a streak
 * already known, rewrites one column with its own value, so RETURNING gives the latest committed
 * counts under a row lock, as FOR UPDATE would (a concurrent writer of the same new streak waits on
 * the insert, then reads what that writer credited). Rows are taken in key order. Points price the
 * streak as ONE gift of its total value (`giftPoints`), minus the points already given.
 */
async function creditStreaks(
  tx: Queryable,
  batch: IngestBatch,
  rates: PointRates,
): Promise<StreakIncrement[]> {
  const latest = new Map<string, StreakCredit>();
  for (const s of batch.streaks) {
    const known = latest.get(s.key);
    if (!known || s.repeatCount > known.repeatCount) latest.set(s.key, s);
  }
  const streaks = [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const placeholders = JSON.stringify(
    streaks.map((s) => ({
      key: s.key,
      user_id: s.tiktokUserId,
      gift_id: s.giftId,
      diamonds: s.diamondCount,
      started_at: s.startedAt.toISOString(),
    })),
  );
  const credited = await rowsOf<{
    streak_key: string;
    repeat_count: number;
    credited_value: number;
    credited_points: number;
  }>(
    tx,
    sql`INSERT INTO gift_streaks AS g (guild_id, streak_key, session_id, tiktok_user_id, gift_id, diamond_count, started_at)
        SELECT ${batch.guildId}, r.key, ${batch.sessionId}::bigint, r.user_id, r.gift_id, r.diamonds, r.started_at
        FROM json_to_recordset(${placeholders}::json)
          AS r(key text, user_id text, gift_id bigint, diamonds bigint, started_at timestamptz)
        ON CONFLICT (guild_id, streak_key) DO UPDATE SET repeat_count = g.repeat_count
        RETURNING streak_key, repeat_count, credited_value, credited_points`,
  );
  const before = new Map(credited.map((c) => [c.streak_key, c]));
  const increments: StreakIncrement[] = [];
  for (const s of streaks) {
    const prior = before.get(s.key);
    if (!prior || s.repeatCount <= prior.repeat_count) continue;
    const totalValue = s.diamondCount * s.repeatCount;
    const totalPoints = giftPoints(totalValue, rates);
    increments.push({
      key: s.key,
      repeatCount: s.repeatCount,
      tiktokUserId: s.tiktokUserId,
      value: Math.max(0, totalValue - Number(prior.credited_value)),
      points: Math.max(0, totalPoints - Number(prior.credited_points)),
      totalValue,
    });
  }
  return increments;
}

/** The streaks' new counts, as a data-modifying CTE of recordAndCredit's statement (rows already locked). */
function streakUpdate(batch: IngestBatch, increments: readonly StreakIncrement[]): SQL {
  if (increments.length === 0) return sql``;
  const updates = JSON.stringify(
    increments.map((i) => ({ key: i.key, repeats: i.repeatCount, value: i.totalValue, points: i.points })),
  );
  return sql`, streak_counts AS (
          UPDATE gift_streaks g SET repeat_count = r.repeats, credited_value = r.value,
            credited_points = g.credited_points + r.points, settled_at = ${batch.now.toISOString()}::timestamptz
          FROM json_to_recordset(${updates}::json) AS r(key text, repeats integer, value bigint, points bigint)
          WHERE g.guild_id = ${batch.guildId} AND g.streak_key = r.key
        )`;
}

/**
 * ONE statement: inserts the messages (a replayed id inserts nothing), sums what the inserted ones
 * and the streak increments earned per account, and upserts every account seen: created on first
 * sight (keyed by TikTok user id, since handles change), handle and last_seen_at kept current (an
 * older message never rolls them back), points and gifted coins added, and gifts converted to Luxury
 * Coins with the carried remainder exactly as `convertWithCarry` does: integer division and remainder
 * of (carry + gifted × coins) by per. Adds the coins to the live's gift tally and total too, and
 * writes the credited streaks' new counts (creditStreaks locked their rows).
 *
 * Every addition stops at BALANCE_CAP, the bound of the balance CHECK constraints: a batch crossing it
 * would otherwise be refused and retried forever. The conversion runs in numeric so gifted × coins
 * cannot overflow bigint on the way.
 */
async function recordAndCredit(
  tx: Queryable,
  batch: IngestBatch,
  interactions: InteractionRecord[],
  accounts: SeenAccount[],
  streaks: StreakIncrement[],
): Promise<{ recordedIds: Set<string>; senders: Map<string, GiftSender>; coinsAwarded: number }> {
  const giftRate = batch.settings.giftCoinRate;
  const { coins: rate, per } = giftRate;
  const cap = BALANCE_CAP;
  const text = (values: (string | null)[]) => sql`${textArrayLiteral(values)}::text[]`;
  const int8s = (values: number[]) => sql`${int8ArrayLiteral(values)}::int8[]`;
  const times = (values: Date[]) =>
    sql`${textArrayLiteral(values.map((d) => d.toISOString()))}::timestamptz[]`;
  // In msg id order, as accounts go in user id order: batches written at once (or by two processes)
  // then take their row locks in one order and cannot deadlock on a replayed message.
  const byMsgId = [...interactions].sort((a, b) => (a.msgId < b.msgId ? -1 : a.msgId > b.msgId ? 1 : 0));
  const units = carriedUnits(sql`a.gift_coin_carry`, sql`EXCLUDED.tiktok_coins_gifted`, giftRate);
  const firstUnits = carriedUnits(sql`0`, sql`COALESCE(e.gifted, 0)`, giftRate);
  const returned = await rowsOf<{
    what: 'inserted' | 'recorded' | 'sender';
    id: string;
    discord_user_id: string | null;
    handle: string | null;
    coins: number;
  }>(
    tx,
    sql`WITH ins AS (
          INSERT INTO interactions (guild_id, session_id, kind, msg_id, tiktok_user_id, amount, points, payload, occurred_at)
          SELECT ${batch.guildId}, ${batch.sessionId}::bigint, r.kind, r.msg_id, r.user_id, r.amount, r.points,
            -- One JSON array for all payloads: one stringify, one parse, no per-element escaping.
            ${storableJson(byMsgId.map((i) => i.payload))}::jsonb -> (r.n - 1)::integer, r.at
          FROM unnest(${text(byMsgId.map((i) => i.kind))}, ${text(byMsgId.map((i) => i.msgId))},
                      ${text(byMsgId.map((i) => i.tiktokUserId))}, ${int8s(byMsgId.map((i) => i.amount))},
                      ${int8s(byMsgId.map((i) => i.points))},
                      ${times(byMsgId.map((i) => i.occurredAt))})
            WITH ORDINALITY AS r(kind, msg_id, user_id, amount, points, at, n)
          ON CONFLICT (guild_id, msg_id) DO NOTHING
          RETURNING msg_id, tiktok_user_id, points,
            -- Streak updates carry no value of their own (amount 0); a single gift carries its value.
            CASE WHEN kind = 'gift' THEN amount ELSE 0 END AS gifted
        ), earned AS (
          SELECT id, LEAST(sum(points), ${cap})::bigint AS points, LEAST(sum(gifted), ${cap})::bigint AS gifted FROM (
            SELECT tiktok_user_id AS id, points, gifted FROM ins WHERE tiktok_user_id IS NOT NULL
            UNION ALL
            SELECT * FROM unnest(${text(streaks.map((s) => s.tiktokUserId))}, ${int8s(streaks.map((s) => s.points))},
                                 ${int8s(streaks.map((s) => s.value))})
          ) e GROUP BY id
        ), up AS (
          -- The proposed row must pass the CHECKs too, even when it ends up updating an existing one.
          INSERT INTO tiktok_accounts AS a (guild_id, tiktok_user_id, handle, nickname, first_seen_at, last_seen_at,
            points, tiktok_coins_gifted, coins, gift_coin_carry)
          SELECT ${batch.guildId}, s.id, s.handle, s.nickname, s.at, s.at, COALESCE(e.points, 0), COALESCE(e.gifted, 0),
            LEAST(${coinsOf(firstUnits, giftRate)}, ${cap}), ${carryOf(firstUnits, giftRate)}
          FROM unnest(${text(accounts.map((a) => a.tiktokUserId))}, ${text(accounts.map((a) => storableText(a.handle)))},
                      ${text(accounts.map((a) => storableText(a.nickname)))},
                      ${times(accounts.map((a) => a.at))}) AS s(id, handle, nickname, at)
          LEFT JOIN earned e ON e.id = s.id
          ORDER BY s.id
          ON CONFLICT (guild_id, tiktok_user_id) DO UPDATE SET
            handle = CASE WHEN EXCLUDED.last_seen_at >= a.last_seen_at AND EXCLUDED.handle <> ''
                          THEN EXCLUDED.handle ELSE a.handle END,
            nickname = CASE WHEN EXCLUDED.last_seen_at >= a.last_seen_at THEN EXCLUDED.nickname ELSE a.nickname END,
            first_seen_at = LEAST(a.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at = GREATEST(a.last_seen_at, EXCLUDED.last_seen_at),
            points = LEAST(a.points + EXCLUDED.points, ${cap}),
            tiktok_coins_gifted = LEAST(a.tiktok_coins_gifted + EXCLUDED.tiktok_coins_gifted, ${cap}),
            coins = LEAST(a.coins + ${coinsOf(units, giftRate)}, ${cap}),
            gift_coin_carry = ${carryOf(units, giftRate)}
          RETURNING tiktok_user_id, handle, discord_user_id, coins, gift_coin_carry
        ), senders AS (
          -- carry_before + gifted × rate = coins × per + carry_after with carry_before < per, so the coins
          -- earned are the one whole number that fits: ceil((gifted × rate − carry_after) / per). At the cap
          -- only what fitted counts, measured against the balance before this statement (its snapshot).
          SELECT up.tiktok_user_id, up.handle, up.discord_user_id, (
              CASE WHEN up.coins < ${cap} THEN div(e.gifted::numeric * ${rate} - up.gift_coin_carry + ${per - 1}, ${per})
              ELSE GREATEST(0, LEAST(div(e.gifted::numeric * ${rate} - up.gift_coin_carry + ${per - 1}, ${per}),
                ${cap} - COALESCE((SELECT b.coins FROM tiktok_accounts b
                                   WHERE b.guild_id = ${batch.guildId} AND b.tiktok_user_id = up.tiktok_user_id), 0)))
              END)::bigint AS coins
          FROM up JOIN earned e ON e.id = up.tiktok_user_id WHERE e.gifted > 0
        ), tally AS (
          UPDATE live_sessions SET coins_awarded = ${addToTally('coins_awarded', sql`t.coins`)},
            gift_coins_awarded = ${addToTally('gift_coins_awarded', sql`t.coins`)}
          FROM (SELECT COALESCE(sum(coins), 0) AS coins FROM senders) t
          WHERE id = ${batch.sessionId}::bigint
        ), inserted AS (
          SELECT count(*) AS n FROM ins
        )${streakUpdate(batch, streaks)}
        SELECT 'inserted' AS what, NULL AS id, NULL AS discord_user_id, NULL AS handle, n AS coins FROM inserted
        UNION ALL
        -- Which ones, only when some were not (a replay): the usual batch returns no row per message.
        SELECT 'recorded', msg_id, NULL, NULL, 0 FROM ins WHERE (SELECT n FROM inserted) < ${byMsgId.length}
        UNION ALL
        SELECT 'sender', tiktok_user_id, discord_user_id, handle, coins FROM senders`,
  );
  const recordedIds = new Set<string>();
  const senders = new Map<string, GiftSender>();
  let coinsAwarded = 0;
  for (const row of returned) {
    if (row.what === 'inserted') {
      if (Number(row.coins) === byMsgId.length) for (const i of byMsgId) recordedIds.add(i.msgId);
    } else if (row.what === 'recorded') {
      recordedIds.add(row.id);
    } else {
      senders.set(row.id, { handle: row.handle ?? '', discord_user_id: row.discord_user_id });
      coinsAwarded += Number(row.coins);
    }
  }
  return { recordedIds, senders, coinsAwarded };
}
