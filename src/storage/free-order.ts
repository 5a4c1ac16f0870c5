import { sql, type SQL } from 'drizzle-orm';
import { inFree } from './sql-rules.js';
import { SUBMISSION_COLUMNS } from './submission-record.js';

/**
 * The Free tier's live order lives in `free_order` (migration 0007): one row per open Free
 * submission in the guild's current generation, with the score it is ranked by. A row counts only
 * while its submission is still in the same stay in Free; rows of submissions that left are skipped
 * here and left out by the next score sync.
 */

/** The guild's current generation: the one readers trust and new entries join. */
function currentGeneration(guildId: string): SQL {
  return sql`COALESCE((SELECT generation FROM free_order_generations WHERE guild_id = ${guildId}), 0)`;
}

/** Free's serving order over `free_order f`; mirrors compareQueueEntries and free_order_serving. */
export const FREE_ORDER = sql.raw('f.score DESC, f.submitted_at, f.submission_id');

/** `FROM` and `WHERE` of the guild's live Free entries, `f`, each joined to its submission, `s`. */
export function liveFree(guildId: string): SQL {
  return sql`free_order f
    JOIN submissions s ON s.id = f.submission_id AND s.guild_id = f.guild_id AND ${inFree('s.tier_rank')}
      AND s.tier_since = f.free_since
    WHERE f.guild_id = ${guildId} AND f.generation = ${currentGeneration(guildId)}`;
}

const qualified = SUBMISSION_COLUMNS.split(',').map((c) => c.trim());

/** The submission columns of `s`, with the score Free ranks it by. */
export const FREE_SUBMISSION_COLS = sql.raw(
  qualified.map((c) => (c === 'score' ? 'f.score AS score' : `s.${c}`)).join(', '),
);
