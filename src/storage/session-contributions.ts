import { sql, type SQL } from 'drizzle-orm';

/**
 * Everything a session's viewers did, one row per contribution, so every figure of a session (the
 * post-live summary, `/admin metrics`) is one aggregate over it. A gift that streaks (roses sent in a combo) is stored by ingestion as interactions
 * worth nothing plus one `gift_streaks` row holding what the whole streak was credited: the streak row
 * carries its value, gift count and points, and its updates only count as activity. A gift that does not
 * streak is one interaction worth `amount`, `repeatCount` gifts at once.
 *
 * `gifts` is the one definition of a gift count, for every view of a session: gifts sent, each repeat
 * of a streak counted (a 20-rose combo is 20 gifts), not streaks.
 */
export function contributions(session: { id: number; guildId: string }): SQL {
  return sql`(
    SELECT i.tiktok_user_id, i.kind, i.amount, i.points, i.occurred_at AS at,
      CASE WHEN i.kind = 'like' THEN i.amount ELSE 0 END AS likes,
      CASE WHEN i.kind = 'gift' AND NOT COALESCE((i.payload->>'streakable')::boolean, false)
        THEN GREATEST(1, COALESCE((i.payload->>'repeatCount')::bigint, 1)) ELSE 0 END AS gifts,
      CASE WHEN i.kind = 'gift' THEN i.amount ELSE 0 END AS gift_coins
    FROM interactions i WHERE i.session_id = ${session.id} AND i.guild_id = ${session.guildId}
    UNION ALL
    SELECT g.tiktok_user_id, 'gift', g.credited_value, g.credited_points, g.started_at,
      0, g.repeat_count, g.credited_value
    FROM gift_streaks g WHERE g.session_id = ${session.id} AND g.guild_id = ${session.guildId}
  )`;
}
