import { sql } from 'drizzle-orm';
import type { InteractionKind } from '../domain/interactions.js';
import { rowsOf, type Queryable } from './connect.js';
import { toDate, toDateOrNull } from './rows.js';
import { contributions } from './session-contributions.js';

/** One TikTok LIVE of a guild, from going live to its end (or to a disconnect that lasted too long). */
export interface LiveSession {
  id: number;
  guildId: string;
  tiktokUsername: string;
  roomId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  coinsAwarded: number;
  /** Of which for gifts and for watch time; null for a live recorded before they were kept apart. */
  giftCoinsAwarded: number | null;
  watchCoinsAwarded: number | null;
}

export interface SessionRow {
  id: number;
  guild_id: string;
  tiktok_username: string;
  room_id: string | null;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
  coins_awarded: number;
  gift_coins_awarded: number | null;
  watch_coins_awarded: number | null;
}

/** Columns `toSession` reads; `sessionColumns('s')` qualifies them for a query that aliases the table. */
export function sessionColumns(alias?: string) {
  const cols = [
    'id',
    'guild_id',
    'tiktok_username',
    'room_id',
    'started_at',
    'ended_at',
    'end_reason',
    'coins_awarded',
    'gift_coins_awarded',
    'watch_coins_awarded',
  ];
  return sql.raw(cols.map((c) => (alias ? `${alias}.${c}` : c)).join(', '));
}

const SESSION_COLS = sessionColumns();

export function toSession(row: SessionRow): LiveSession {
  return {
    id: Number(row.id),
    guildId: row.guild_id,
    tiktokUsername: row.tiktok_username,
    roomId: row.room_id,
    startedAt: toDate(row.started_at),
    endedAt: toDateOrNull(row.ended_at),
    endReason: row.end_reason,
    coinsAwarded: Number(row.coins_awarded),
    giftCoinsAwarded: row.gift_coins_awarded === null ? null : Number(row.gift_coins_awarded),
    watchCoinsAwarded: row.watch_coins_awarded === null ? null : Number(row.watch_coins_awarded),
  };
}

export async function findOpenSession(db: Queryable, guildId: string): Promise<LiveSession | null> {
  const [row] = await rowsOf<SessionRow>(
    db,
    sql`SELECT ${SESSION_COLS} FROM live_sessions WHERE guild_id = ${guildId} AND ended_at IS NULL`,
  );
  return row ? toSession(row) : null;
}

/**
 * The guild's open session for this LIVE, opening one if needed. A reconnect to the same room keeps
 * its session; a session of another room (its end was missed) is closed as `replaced` first. A null
 * room (events relayed through the webhook) joins whatever session is open.
 */
export async function openLiveSession(
  db: Queryable,
  input: { guildId: string; tiktokUsername: string; roomId: string | null; now: Date },
): Promise<{ session: LiveSession; replaced: LiveSession | null }> {
  return db.transaction(async (tx) => {
    const [open] = await rowsOf<SessionRow>(
      tx,
      sql`SELECT ${SESSION_COLS} FROM live_sessions WHERE guild_id = ${input.guildId} AND ended_at IS NULL FOR UPDATE`,
    );
    if (open && (input.roomId === null || open.room_id === null || open.room_id === input.roomId)) {
      if (open.room_id === null && input.roomId !== null) {
        await tx.execute(sql`UPDATE live_sessions SET room_id = ${input.roomId} WHERE id = ${open.id}`);
      }
      return { session: toSession({ ...open, room_id: open.room_id ?? input.roomId }), replaced: null };
    }
    const replaced = open ? await closeById(tx, open.id, 'replaced', input.now) : null;
    const [row] = await rowsOf<SessionRow>(
      tx,
      sql`INSERT INTO live_sessions (guild_id, tiktok_username, room_id, started_at)
          VALUES (${input.guildId}, ${input.tiktokUsername}, ${input.roomId}, ${input.now.toISOString()}::timestamptz)
          RETURNING ${SESSION_COLS}`,
    );
    if (!row) throw new Error('live session insert returned nothing');
    return { session: toSession(row), replaced };
  });
}

/** Ends the guild's open session; null when none was open (e.g. a replayed stream end). */
export async function closeLiveSession(
  db: Queryable,
  guildId: string,
  reason: string,
  now: Date,
): Promise<LiveSession | null> {
  const [row] = await rowsOf<SessionRow>(
    db,
    sql`UPDATE live_sessions SET ended_at = GREATEST(started_at, ${now.toISOString()}::timestamptz), end_reason = ${reason}
        WHERE guild_id = ${guildId} AND ended_at IS NULL RETURNING ${SESSION_COLS}`,
  );
  return row ? toSession(row) : null;
}

async function closeById(db: Queryable, id: number, reason: string, now: Date): Promise<LiveSession> {
  const [row] = await rowsOf<SessionRow>(
    db,
    sql`UPDATE live_sessions SET ended_at = GREATEST(started_at, ${now.toISOString()}::timestamptz), end_reason = ${reason}
        WHERE id = ${id} RETURNING ${SESSION_COLS}`,
  );
  if (!row) throw new Error(`live session ${id} vanished inside its transaction`);
  return toSession(row);
}

/** Guilds with a TikTok username stored: the bot connects to each on start. */
export async function listTikTokGuilds(
  db: Queryable,
): Promise<{ guildId: string; tiktokUsername: string }[]> {
  const rows = await rowsOf<{ guild_id: string; tiktok_username: string }>(
    db,
    sql`SELECT guild_id, tiktok_username FROM guild_config WHERE tiktok_username IS NOT NULL ORDER BY guild_id`,
  );
  return rows.map((r) => ({ guildId: r.guild_id, tiktokUsername: r.tiktok_username }));
}

export async function countSessionInteractions(db: Queryable, sessionId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM interactions WHERE session_id = ${sessionId}`,
  );
  return Number(row?.n ?? 0);
}

export interface SessionSummary {
  session: LiveSession;
  /**
   * Messages recorded per kind; likes also as the number of likes they carried. Gifts are counted
   * below (a streak is one gift) and viewer counts are not messages of a viewer.
   */
  counts: Record<Exclude<InteractionKind, 'gift' | 'viewers'>, number>;
  likes: number;
  /** Gifts sent (each repeat of a streak counted, as everywhere) and their TikTok coin value. */
  gifts: { sent: number; value: number };
  peakViewers: number;
  topViewers: { tiktokUserId: string; handle: string; points: number }[];
}

/** Totals of a session for its summary: what was recorded, and who earned the most points. */
export async function summarizeSession(
  db: Queryable,
  session: LiveSession,
  top = 5,
): Promise<SessionSummary> {
  const kinds = await rowsOf<{ kind: string; n: number; amount: number; peak: number }>(
    db,
    sql`SELECT kind, count(*)::int AS n, COALESCE(sum(amount), 0)::bigint AS amount, COALESCE(max(amount), 0)::bigint AS peak
        FROM interactions WHERE session_id = ${session.id} GROUP BY kind`,
  );
  const [gifts] = await rowsOf<{ sent: number; value: number }>(
    db,
    sql`SELECT COALESCE(sum(gifts), 0)::bigint AS sent, COALESCE(sum(gift_coins), 0)::bigint AS value
        FROM ${contributions(session)} c WHERE kind = 'gift'`,
  );
  const topViewers = await rowsOf<{ tiktok_user_id: string; handle: string; points: number }>(
    db,
    sql`SELECT e.tiktok_user_id, a.handle, sum(e.points)::bigint AS points
        FROM (
          SELECT tiktok_user_id, points FROM interactions WHERE session_id = ${session.id} AND points > 0
          UNION ALL
          SELECT tiktok_user_id, credited_points FROM gift_streaks WHERE session_id = ${session.id} AND credited_points > 0
        ) e
        JOIN tiktok_accounts a ON a.guild_id = ${session.guildId} AND a.tiktok_user_id = e.tiktok_user_id
        GROUP BY e.tiktok_user_id, a.handle
        ORDER BY points DESC, a.handle
        LIMIT ${top}`,
  );
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const n = (kind: InteractionKind) => Number(byKind.get(kind)?.n ?? 0);
  return {
    session,
    counts: {
      like: n('like'),
      comment: n('comment'),
      share: n('share'),
      follow: n('follow'),
      join: n('join'),
    },
    likes: Number(byKind.get('like')?.amount ?? 0),
    gifts: { sent: Number(gifts?.sent ?? 0), value: Number(gifts?.value ?? 0) },
    peakViewers: Number(byKind.get('viewers')?.peak ?? 0),
    topViewers: topViewers.map((v) => ({
      tiktokUserId: v.tiktok_user_id,
      handle: v.handle,
      points: Number(v.points),
    })),
  };
}
