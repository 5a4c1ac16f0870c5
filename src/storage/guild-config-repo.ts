import { eq, sql } from 'drizzle-orm';
import {
  describeSettingsProblems,
  guildSettingsSchema,
  parseGuildSettings,
  type GuildSettings,
} from '../domain/guild-settings.js';
import { UserFacingError } from '../domain/errors.js';
import type { Db, Queryable, Tx } from './connect.js';
import { guildConfig } from './schema.js';

export interface GuildConfig {
  guildId: string;
  submissionChannelId: string | null;
  reviewerChannelId: string | null;
  reviewerRoleId: string | null;
  summaryChannelId: string | null;
  tiktokUsername: string | null;
  settings: GuildSettings;
}

export type GuildChannelField =
  'submissionChannelId' | 'reviewerChannelId' | 'reviewerRoleId' | 'summaryChannelId' | 'tiktokUsername';

/**
 * A server's config. Read through the process's copy when `db` has one (see GuildConfigCache); a
 * transaction always reads the row itself. The value is frozen: it may be shared, so copy to change it.
 */
export function getGuildConfig(db: Queryable, guildId: string): Promise<GuildConfig> {
  const cache = caches.get(db as Db);
  return cache ? cache.read(guildId, () => readGuildConfig(db, guildId)) : readGuildConfig(db, guildId);
}

async function readGuildConfig(db: Queryable, guildId: string): Promise<GuildConfig> {
  const [row] = await db.select().from(guildConfig).where(eq(guildConfig.guildId, guildId));
  return deepFreeze({
    guildId,
    submissionChannelId: row?.submissionChannelId ?? null,
    reviewerChannelId: row?.reviewerChannelId ?? null,
    reviewerRoleId: row?.reviewerRoleId ?? null,
    summaryChannelId: row?.summaryChannelId ?? null,
    tiktokUsername: row?.tiktokUsername ?? null,
    settings: parseGuildSettings(row?.settings),
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * This process's copy of each server's config. Commands read it before they can acknowledge Discord
 * (the submission channel, the reviewer role) and the ingest before every batch: under load each of
 * those reads waited for a pooled connection, and acknowledgements with them (bench/load.bench.ts).
 *
 * A copy is forgotten when this process writes the row (setGuildField on a database handle, or any
 * write in inGuildConfigTransaction, after commit) and when any process does: the row's trigger
 * notifies `queue_changed` with `<guild id>:settings` after commit (migration 0016), which
 * src/queue-changes/feed.ts passes to forget(). Copies are kept only while that notification is
 * listened to (`trust`); otherwise every read goes to the database. A read still running when its row
 * is forgotten is not kept.
 */
export class GuildConfigCache {
  readonly #copies = new Map<string, Promise<GuildConfig>>();
  #trusted = false;

  /** Notifications of changes reach this process from now on: copies may be kept. */
  trust(): void {
    this.#copies.clear();
    this.#trusted = true;
  }

  /** Notifications may be missed (the listener is down): forget every copy, read the database. */
  distrust(): void {
    this.#trusted = false;
    this.#copies.clear();
  }

  forget(guildId: string): void {
    this.#copies.delete(guildId);
  }

  read(guildId: string, load: () => Promise<GuildConfig>): Promise<GuildConfig> {
    if (!this.#trusted) return load();
    const copy = this.#copies.get(guildId);
    if (copy) return copy;
    const loading = load();
    this.#copies.set(guildId, loading);
    loading.catch(() => {
      if (this.#copies.get(guildId) === loading) this.#copies.delete(guildId);
    });
    return loading;
  }
}

const caches = new WeakMap<Db, GuildConfigCache>();

/**
 * Runs `write` in a transaction and, once it committed, forgets this process's copy of the server's
 * config, so that this process reads its own change at once. Every guild_config write inside a
 * larger transaction goes through here; the notification after commit reaches every process anyway,
 * this only spares the writer the moment until it arrives.
 */
export async function inGuildConfigTransaction<T>(
  db: Queryable,
  guildId: string,
  write: (tx: Tx) => Promise<T>,
): Promise<T> {
  const result = await db.transaction(write);
  caches.get(db as Db)?.forget(guildId);
  return result;
}

/** The copy kept for reads through `db` (a database handle, not a transaction); made on first use. */
export function guildConfigCache(db: Db): GuildConfigCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new GuildConfigCache();
    caches.set(db, cache);
  }
  return cache;
}

export async function setGuildField(
  db: Queryable,
  guildId: string,
  field: GuildChannelField,
  value: string | null,
): Promise<void> {
  await db
    .insert(guildConfig)
    .values({ guildId, [field]: value })
    .onConflictDoUpdate({ target: guildConfig.guildId, set: { [field]: value, updatedAt: sql`now()` } });
  caches.get(db as Db)?.forget(guildId);
}

/**
 * Merges a partial change into the stored settings after validating the result as a whole, so a bad
 * value is refused with the reason and nothing is written.
 */
export async function updateGuildSettings(
  db: Queryable,
  guildId: string,
  change: (current: GuildSettings) => unknown,
): Promise<GuildSettings> {
  return inGuildConfigTransaction(db, guildId, async (tx) => {
    // Two admins changing settings at once must not lose one change: serialise per guild.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`guild-settings:${guildId}`}, 0))`);
    const current = (await getGuildConfig(tx, guildId)).settings;
    const parsed = guildSettingsSchema.safeParse(change(structuredClone(current)));
    if (!parsed.success) {
      throw new UserFacingError(
        'invalid_amount',
        `${describeSettingsProblems(parsed.error.issues, current)} Nothing changed.`,
        parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '),
      );
    }
    await tx
      .insert(guildConfig)
      .values({ guildId, settings: parsed.data })
      .onConflictDoUpdate({
        target: guildConfig.guildId,
        set: { settings: parsed.data, updatedAt: sql`now()` },
      });
    return parsed.data;
  });
}
