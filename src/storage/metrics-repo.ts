import { sql, type SQL } from 'drizzle-orm';
import type {
  RankedViewer,
  SessionListEntry,
  SessionRef,
  SessionSummary,
  SkipCount,
  SkipSource,
  TimelineMinute,
  ViewerTotals,
} from '../analytics/session-metrics.js';
import { isSkipTier, isTier, tierRank } from '../domain/tiers.js';
import { rowsOf, type Queryable } from './connect.js';
import { sessionColumns, toSession, type LiveSession, type SessionRow } from './live-sessions-repo.js';
import { toDate } from './rows.js';
import { contributions } from './session-contributions.js';

const SESSION_COLS = sessionColumns('s');

/**
 * The window a session's submissions and skips are counted in: its start to its end, or to now while
 * it is live. Interactions need no window: ingestion stamps them with their session.
 */
const sessionUntil = sql`COALESCE(s.ended_at, now())`;

export async function findSession(
  db: Queryable,
  guildId: string,
  ref: SessionRef,
): Promise<LiveSession | null> {
  const which = ref === 'latest' ? sql`TRUE` : sql`s.id = ${ref}`;
  const [row] = await rowsOf<SessionRow>(
    db,
    sql`SELECT ${SESSION_COLS} FROM live_sessions s WHERE s.guild_id = ${guildId} AND ${which}
        ORDER BY s.started_at DESC, s.id DESC LIMIT 1`,
  );
  return row ? toSession(row) : null;
}

interface TotalsRow {
  duration_seconds: number;
  coins_awarded: number;
  gift_coins_awarded: number | null;
  watch_coins_awarded: number | null;
  peak_viewers: number | null;
  average_viewers: number | null;
  unique_viewers: number;
  likes: number;
  comments: number;
  joins: number;
  shares: number;
  follows: number;
  gifts: number;
  gift_tiktok_coins: number;
  points_awarded: number;
  submissions_received: number;
  submissions_reviewed: number;
}

/** Every figure of one session, in a handful of set-based queries. */
export async function sessionSummary(db: Queryable, session: LiveSession): Promise<SessionSummary> {
  const [totals] = await rowsOf<TotalsRow>(
    db,
    sql`WITH s AS (SELECT * FROM live_sessions WHERE id = ${session.id} AND guild_id = ${session.guildId}),
    c AS (
      SELECT
        max(amount) FILTER (WHERE kind = 'viewers') AS peak_viewers,
        round(avg(amount) FILTER (WHERE kind = 'viewers'))::bigint AS average_viewers,
        count(DISTINCT tiktok_user_id) AS unique_viewers,
        COALESCE(sum(likes), 0)::bigint AS likes,
        count(*) FILTER (WHERE kind = 'comment') AS comments,
        count(*) FILTER (WHERE kind = 'join') AS joins,
        count(*) FILTER (WHERE kind = 'share') AS shares,
        count(*) FILTER (WHERE kind = 'follow') AS follows,
        COALESCE(sum(gifts), 0)::bigint AS gifts,
        COALESCE(sum(gift_coins), 0)::bigint AS gift_tiktok_coins,
        COALESCE(sum(points), 0)::bigint AS points_awarded
      FROM ${contributions(session)} c
    ),
    sub AS (
      SELECT
        count(*) FILTER (WHERE sb.submitted_at BETWEEN s.started_at AND ${sessionUntil}) AS submissions_received,
        count(*) FILTER (WHERE sb.played_at BETWEEN s.started_at AND ${sessionUntil}) AS submissions_reviewed
      FROM s JOIN submissions sb ON sb.guild_id = s.guild_id
        AND (sb.submitted_at >= s.started_at OR sb.played_at >= s.started_at)
    )
    SELECT floor(extract(epoch FROM ${sessionUntil} - s.started_at))::bigint AS duration_seconds,
      s.coins_awarded, s.gift_coins_awarded, s.watch_coins_awarded, c.*, sub.*
    FROM s, c, sub`,
  );
  if (!totals) throw new Error(`live session ${session.id} vanished while it was summarised`);
  const [topGifters, topEngaged, topWatchers, skips] = await Promise.all([
    topViewers(db, session, 'gifts'),
    topViewers(db, session, 'points'),
    topWatchersOf(db, session),
    skipsDuring(db, session),
  ]);
  return {
    session,
    durationSeconds: totals.duration_seconds,
    peakViewers: totals.peak_viewers,
    averageViewers: totals.average_viewers,
    uniqueViewers: totals.unique_viewers,
    likes: totals.likes,
    comments: totals.comments,
    joins: totals.joins,
    shares: totals.shares,
    follows: totals.follows,
    gifts: totals.gifts,
    giftTikTokCoins: totals.gift_tiktok_coins,
    coinsAwarded: {
      total: totals.coins_awarded,
      gifts: totals.gift_coins_awarded,
      watchTime: totals.watch_coins_awarded,
    },
    pointsAwarded: totals.points_awarded,
    topGifters,
    topEngaged,
    topWatchers,
    submissionsReceived: totals.submissions_received,
    submissionsReviewed: totals.submissions_reviewed,
    skips,
  };
}

/** A viewer's handle as this guild last saw it; the user id when the account row is missing. */
const handleOf = sql`COALESCE(a.handle, c.tiktok_user_id)`;
const accountJoin = (session: LiveSession) =>
  sql`LEFT JOIN tiktok_accounts a ON a.guild_id = ${session.guildId} AND a.tiktok_user_id = c.tiktok_user_id`;

async function topViewers(
  db: Queryable,
  session: LiveSession,
  by: 'gifts' | 'points',
  limit = 5,
): Promise<RankedViewer[]> {
  const value = by === 'gifts' ? sql`sum(c.gift_coins)` : sql`sum(c.points)`;
  const rows = await rowsOf<{ tiktok_user_id: string; handle: string; value: number }>(
    db,
    sql`SELECT c.tiktok_user_id, ${handleOf} AS handle, ${value}::bigint AS value
        FROM ${contributions(session)} c ${accountJoin(session)}
        WHERE c.tiktok_user_id IS NOT NULL
        GROUP BY c.tiktok_user_id, a.handle
        HAVING ${value} > 0
        ORDER BY value DESC, handle, c.tiktok_user_id
        LIMIT ${limit}`,
  );
  return rows.map((r) => ({ tiktokUserId: r.tiktok_user_id, handle: r.handle, value: r.value }));
}

/** Watch minutes are not interactions: the watch-time tick counts them per live in `session_watch`. */
async function topWatchersOf(db: Queryable, session: LiveSession, limit = 5): Promise<RankedViewer[]> {
  const rows = await rowsOf<{ tiktok_user_id: string; handle: string; value: number }>(
    db,
    sql`SELECT w.tiktok_user_id, COALESCE(a.handle, w.tiktok_user_id) AS handle, w.minutes AS value
        FROM session_watch w
        LEFT JOIN tiktok_accounts a ON a.guild_id = w.guild_id AND a.tiktok_user_id = w.tiktok_user_id
        WHERE w.guild_id = ${session.guildId} AND w.session_id = ${session.id} AND w.minutes > 0
        ORDER BY value DESC, handle, w.tiktok_user_id
        LIMIT ${limit}`,
  );
  return rows.map((r) => ({ tiktokUserId: r.tiktok_user_id, handle: r.handle, value: r.value }));
}

const SKIP_SOURCES: Record<string, SkipSource> = {
  confirm_skip: 'confirmed',
  gift_skip: 'gift',
  buy_skip: 'coins',
};

/**
 * Skips granted while the session ran, from the audit log: a confirmed skip records its tier as
 * `tier`, an upgrade by gift or coins as `to`, and a gift skip kept for the viewer's next song as
 * `credit`.
 */
async function skipsDuring(db: Queryable, session: LiveSession): Promise<SkipCount[]> {
  const rows = await rowsOf<{ action: string; tier: string | null; count: number }>(
    db,
    sql`SELECT l.action, COALESCE(l.details->>'tier', l.details->>'to', l.details->>'credit') AS tier,
          count(*) AS count
        FROM live_sessions s JOIN audit_log l ON l.guild_id = s.guild_id
          AND l.created_at BETWEEN s.started_at AND ${sessionUntil}
        WHERE s.id = ${session.id} AND s.guild_id = ${session.guildId}
          AND l.action IN ('confirm_skip', 'gift_skip', 'buy_skip')
        GROUP BY 1, 2`,
  );
  return rows
    .flatMap((r): SkipCount[] => {
      const source = SKIP_SOURCES[r.action];
      return source && r.tier && isTier(r.tier) && isSkipTier(r.tier)
        ? [{ tier: r.tier, source, count: r.count }]
        : [];
    })
    .sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || a.source.localeCompare(b.source));
}

interface ViewerRow {
  tiktok_user_id: string;
  handle: string;
  likes: number;
  comments: number;
  joins: number;
  shares: number;
  follows: number;
  gifts: number;
  tiktok_coins: number;
  points: number;
  watch_minutes: number;
}

/**
 * One page of the session's viewers and their totals, by TikTok user id after `afterUserId` (keyset
 * paging, so exporting a huge session never re-scans the pages already written). A viewer is anyone
 * with a contribution or a watch minute in the session: one who only watched has a row of zeros
 * and their minutes.
 */
export async function sessionViewersPage(
  db: Queryable,
  session: LiveSession,
  afterUserId: string | null,
  limit: number,
): Promise<ViewerTotals[]> {
  const after = (column: SQL) => (afterUserId === null ? sql`TRUE` : sql`${column} > ${afterUserId}`);
  const rows = await rowsOf<ViewerRow>(
    db,
    sql`WITH c AS (
          SELECT c.tiktok_user_id,
            sum(c.likes)::bigint AS likes,
            count(*) FILTER (WHERE c.kind = 'comment') AS comments,
            count(*) FILTER (WHERE c.kind = 'join') AS joins,
            count(*) FILTER (WHERE c.kind = 'share') AS shares,
            count(*) FILTER (WHERE c.kind = 'follow') AS follows,
            sum(c.gifts)::bigint AS gifts,
            sum(c.gift_coins)::bigint AS tiktok_coins,
            sum(c.points)::bigint AS points
          FROM ${contributions(session)} c
          WHERE c.tiktok_user_id IS NOT NULL AND ${after(sql`c.tiktok_user_id`)}
          GROUP BY c.tiktok_user_id
        ), w AS (
          SELECT w.tiktok_user_id, w.minutes FROM session_watch w
          WHERE w.guild_id = ${session.guildId} AND w.session_id = ${session.id} AND ${after(sql`w.tiktok_user_id`)}
        ), v AS (
          SELECT COALESCE(c.tiktok_user_id, w.tiktok_user_id) AS tiktok_user_id,
            COALESCE(c.likes, 0) AS likes, COALESCE(c.comments, 0) AS comments, COALESCE(c.joins, 0) AS joins,
            COALESCE(c.shares, 0) AS shares, COALESCE(c.follows, 0) AS follows, COALESCE(c.gifts, 0) AS gifts,
            COALESCE(c.tiktok_coins, 0) AS tiktok_coins, COALESCE(c.points, 0) AS points,
            COALESCE(w.minutes, 0) AS watch_minutes
          FROM c FULL JOIN w ON w.tiktok_user_id = c.tiktok_user_id
          ORDER BY 1
          LIMIT ${limit}
        )
        -- Aliased c, the name handleOf and accountJoin read the viewer's id from.
        SELECT c.*, ${handleOf} AS handle
        FROM v c ${accountJoin(session)}
        ORDER BY c.tiktok_user_id`,
  );
  return rows.map((r) => ({
    tiktokUserId: r.tiktok_user_id,
    handle: r.handle,
    likes: r.likes,
    comments: r.comments,
    joins: r.joins,
    shares: r.shares,
    follows: r.follows,
    gifts: r.gifts,
    tiktokCoins: r.tiktok_coins,
    points: r.points,
    watchMinutes: r.watch_minutes,
  }));
}

/** Every viewer of the session, `chunkSize` at a time. */
export async function* sessionViewers(
  db: Queryable,
  session: LiveSession,
  chunkSize = 1000,
): AsyncGenerator<ViewerTotals[]> {
  let after: string | null = null;
  for (;;) {
    const page = await sessionViewersPage(db, session, after, chunkSize);
    if (page.length > 0) yield page;
    if (page.length < chunkSize) return;
    after = page[page.length - 1]!.tiktokUserId;
  }
}

/**
 * The session minute by minute, from its first minute to its last (or now while live), widened to
 * any interaction stamped outside it so no event is left off the chart. A gift streak counts in the
 * minute it started.
 */
export async function sessionTimeline(db: Queryable, session: LiveSession): Promise<TimelineMinute[]> {
  const rows = await rowsOf<{
    minute: string;
    viewers: number | null;
    likes: number;
    gifts: number;
    gift_tiktok_coins: number;
  }>(
    db,
    sql`WITH s AS (SELECT * FROM live_sessions WHERE id = ${session.id} AND guild_id = ${session.guildId}),
    per_minute AS (
      SELECT date_trunc('minute', at) AS minute,
        max(amount) FILTER (WHERE kind = 'viewers') AS viewers,
        sum(likes)::bigint AS likes,
        sum(gifts)::bigint AS gifts,
        sum(gift_coins)::bigint AS gift_tiktok_coins
      FROM ${contributions(session)} c GROUP BY 1
    ),
    bounds AS (
      SELECT date_trunc('minute', LEAST(s.started_at, (SELECT min(minute) FROM per_minute))) AS first,
        date_trunc('minute', GREATEST(${sessionUntil}, (SELECT max(minute) FROM per_minute))) AS last
      FROM s
    )
    SELECT m.minute, p.viewers, COALESCE(p.likes, 0) AS likes, COALESCE(p.gifts, 0) AS gifts,
      COALESCE(p.gift_tiktok_coins, 0) AS gift_tiktok_coins
    FROM bounds, generate_series(bounds.first, bounds.last, interval '1 minute') AS m(minute)
    LEFT JOIN per_minute p ON p.minute = m.minute
    ORDER BY m.minute`,
  );
  return rows.map((r) => ({
    minute: toDate(r.minute),
    viewers: r.viewers,
    likes: r.likes,
    gifts: r.gifts,
    giftTikTokCoins: r.gift_tiktok_coins,
  }));
}

export interface SessionListPage {
  entries: SessionListEntry[];
  total: number;
}

/** The guild's sessions, newest first, with their headline figures. `offset` counts sessions. */
export async function listSessions(
  db: Queryable,
  guildId: string,
  { offset, limit }: { offset: number; limit: number },
): Promise<SessionListPage> {
  const [rows, [count]] = await Promise.all([
    rowsOf<SessionRow & { peak_viewers: number | null; likes: number; gift_tiktok_coins: number }>(
      db,
      sql`SELECT ${SESSION_COLS}, t.peak_viewers, t.likes, t.gift_tiktok_coins
          FROM live_sessions s
          LEFT JOIN LATERAL (
            SELECT max(amount) FILTER (WHERE kind = 'viewers') AS peak_viewers,
              COALESCE(sum(amount) FILTER (WHERE kind = 'like'), 0)::bigint AS likes,
              COALESCE(sum(amount) FILTER (WHERE kind = 'gift'), 0)::bigint
                + (SELECT COALESCE(sum(credited_value), 0) FROM gift_streaks WHERE session_id = s.id)::bigint
                AS gift_tiktok_coins
            FROM interactions WHERE session_id = s.id
          ) t ON TRUE
          WHERE s.guild_id = ${guildId}
          ORDER BY s.started_at DESC, s.id DESC
          OFFSET ${offset} LIMIT ${limit}`,
    ),
    rowsOf<{ total: number }>(
      db,
      sql`SELECT count(*) AS total FROM live_sessions WHERE guild_id = ${guildId}`,
    ),
  ]);
  return {
    entries: rows.map((r) => ({
      session: toSession(r),
      peakViewers: r.peak_viewers,
      likes: r.likes,
      giftTikTokCoins: r.gift_tiktok_coins,
    })),
    total: count?.total ?? 0,
  };
}
