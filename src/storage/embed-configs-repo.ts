import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from './connect.js';

export const EMBED_KINDS = ['live_queue', 'reviewer_queue', 'pending_skips'] as const;
export type EmbedKind = (typeof EMBED_KINDS)[number];

export function isEmbedKind(value: string): value is EmbedKind {
  return (EMBED_KINDS as readonly string[]).includes(value);
}

/** A self-updating queue message: where it is, which view it shows, and what it shows now. */
export interface EmbedConfig {
  id: number;
  guildId: string;
  channelId: string;
  messageId: string | null;
  kind: EmbedKind;
  page: number;
  active: boolean;
  /** sha256 of the content last sent to Discord (or being sent by some process right now). */
  contentHash: string | null;
}

interface RawEmbedConfig {
  id: number;
  guild_id: string;
  channel_id: string;
  message_id: string | null;
  kind: EmbedKind;
  page: number;
  active: boolean;
  content_hash: string | null;
}

const COLUMNS = sql.raw('id, guild_id, channel_id, message_id, kind, page, active, content_hash');

function toEmbedConfig(row: RawEmbedConfig): EmbedConfig {
  return {
    id: Number(row.id),
    guildId: row.guild_id,
    channelId: row.channel_id,
    messageId: row.message_id,
    kind: row.kind,
    page: Number(row.page),
    active: row.active,
    contentHash: row.content_hash,
  };
}

/** Stores a new embed before its message exists: the message's buttons need the id. */
export async function createEmbedConfig(
  db: Queryable,
  input: { guildId: string; channelId: string; kind: EmbedKind },
): Promise<EmbedConfig> {
  const [row] = await rowsOf<RawEmbedConfig>(
    db,
    sql`INSERT INTO embed_configs (guild_id, channel_id, kind) VALUES (${input.guildId}, ${input.channelId}, ${input.kind})
        RETURNING ${COLUMNS}`,
  );
  if (!row) throw new Error('insert returned no row');
  return toEmbedConfig(row);
}

export async function attachEmbedMessage(
  db: Queryable,
  id: number,
  messageId: string,
  contentHash: string,
): Promise<void> {
  await db.execute(
    sql`UPDATE embed_configs SET message_id = ${messageId}, content_hash = ${contentHash}, updated_at = now()
        WHERE id = ${id}`,
  );
}

export async function deleteEmbedConfig(db: Queryable, id: number): Promise<void> {
  await db.execute(sql`DELETE FROM embed_configs WHERE id = ${id}`);
}

export async function getEmbedConfig(
  db: Queryable,
  guildId: string,
  id: number,
): Promise<EmbedConfig | undefined> {
  const [row] = await rowsOf<RawEmbedConfig>(
    db,
    sql`SELECT ${COLUMNS} FROM embed_configs WHERE guild_id = ${guildId} AND id = ${id}`,
  );
  return row && toEmbedConfig(row);
}

export async function getEmbedConfigById(db: Queryable, id: number): Promise<EmbedConfig | undefined> {
  const [row] = await rowsOf<RawEmbedConfig>(db, sql`SELECT ${COLUMNS} FROM embed_configs WHERE id = ${id}`);
  return row && toEmbedConfig(row);
}

/** Active embeds with a posted message, of one guild or of all guilds. */
export async function listActiveEmbeds(db: Queryable, guildId?: string): Promise<EmbedConfig[]> {
  const rows = await rowsOf<RawEmbedConfig>(
    db,
    sql`SELECT ${COLUMNS} FROM embed_configs
        WHERE active AND message_id IS NOT NULL ${guildId === undefined ? sql`` : sql`AND guild_id = ${guildId}`}
        ORDER BY id`,
  );
  return rows.map(toEmbedConfig);
}

/**
 * Compare-and-set of the content: succeeds only if the stored hash is still `expected`. Processes
 * refreshing the same embed at once render the same content; only the one whose swap succeeds
 * edits the message, so a change is sent once, not once per process.
 */
export async function swapEmbedContent(
  db: Queryable,
  id: number,
  change: { expected: string | null; next: string | null; page: number },
): Promise<boolean> {
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`UPDATE embed_configs SET content_hash = ${change.next}, page = ${change.page}, updated_at = now()
        WHERE id = ${id} AND active AND content_hash IS NOT DISTINCT FROM ${change.expected}
        RETURNING id`,
  );
  return rows.length > 0;
}

/** A page chosen with the buttons, shown by the interaction's own update. */
export async function setEmbedPage(
  db: Queryable,
  id: number,
  page: number,
  contentHash: string,
): Promise<void> {
  await db.execute(
    sql`UPDATE embed_configs SET page = ${page}, content_hash = ${contentHash}, updated_at = now() WHERE id = ${id}`,
  );
}

/** Marks an embed inactive; true only for the call that changed it (so admins are told once). */
export async function deactivateEmbed(db: Queryable, id: number): Promise<boolean> {
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`UPDATE embed_configs SET active = false, updated_at = now() WHERE id = ${id} AND active RETURNING id`,
  );
  return rows.length > 0;
}
