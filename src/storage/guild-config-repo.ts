import { eq, sql } from 'drizzle-orm';
import {
  describeSettingsProblems,
  guildSettingsSchema,
  parseGuildSettings,
  type GuildSettings,
} from '../domain/guild-settings.js';
import { UserFacingError } from '../domain/errors.js';
import type { Queryable } from './connect.js';
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

export async function getGuildConfig(db: Queryable, guildId: string): Promise<GuildConfig> {
  const [row] = await db.select().from(guildConfig).where(eq(guildConfig.guildId, guildId));
  return {
    guildId,
    submissionChannelId: row?.submissionChannelId ?? null,
    reviewerChannelId: row?.reviewerChannelId ?? null,
    reviewerRoleId: row?.reviewerRoleId ?? null,
    summaryChannelId: row?.summaryChannelId ?? null,
    tiktokUsername: row?.tiktokUsername ?? null,
    settings: parseGuildSettings(row?.settings),
  };
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
  return db.transaction(async (tx) => {
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
