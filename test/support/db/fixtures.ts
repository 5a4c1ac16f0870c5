import { sql } from 'drizzle-orm';
import { DEFAULT_GUILD_SETTINGS, type GuildSettings } from '../../../src/domain/guild-settings.js';
import type { Tier } from '../../../src/domain/tiers.js';
import type { Queryable } from '../../../src/storage/connect.js';
import { submitSong } from '../../../src/storage/submissions-repo.js';

export const GUILD = '100000000000000001';
export const OTHER_GUILD = '100000000000000002';
export const REVIEWER = '200000000000000001';

/** Rules that let one test user queue many songs quickly. */
export const RELAXED: GuildSettings = {
  ...DEFAULT_GUILD_SETTINGS,
  submissionRules: { maxOpenPerUser: 10_000, cooldownSeconds: 0, allowDuplicateLinks: true },
};

export function userId(n: number): string {
  return String(300000000000000000n + BigInt(n));
}

let linkCounter = 0;

/** Queues a song, then puts it straight into `tier` (test setup only; the app moves through rules). */
export async function seedSubmission(
  db: Queryable,
  options: {
    guildId?: string;
    submitter?: string;
    tier?: Tier;
    skipAmount?: number;
    score?: number;
    submittedAt?: Date;
    tierSince?: Date;
  } = {},
) {
  const guildId = options.guildId ?? GUILD;
  const { submission } = await submitSong(
    db,
    {
      guildId,
      submitterId: options.submitter ?? userId(1),
      artist: 'Artist',
      title: `Song ${++linkCounter}`,
      link: { url: `https://soundcloud.com/artist/song-${linkCounter}`, platform: 'soundcloud' },
      source: 'command',
    },
    RELAXED,
    options.submittedAt,
  );
  if (options.tier || options.skipAmount !== undefined || options.score !== undefined || options.tierSince) {
    await db.execute(sql`UPDATE submissions SET
      tier = COALESCE(${options.tier ?? null}, tier),
      skip_amount = COALESCE(${options.skipAmount ?? null}::integer, skip_amount),
      requested_skip_amount = CASE WHEN COALESCE(${options.tier ?? null}, tier) = 'pending' THEN COALESCE(${options.skipAmount ?? null}::integer, 5) END,
      score = COALESCE(${options.score ?? null}::bigint, score),
      tier_since = COALESCE(${options.tierSince ?? null}::timestamptz, tier_since)
      WHERE id = ${submission.id}`);
    // A song seeded into Free with a score is ranked by it, as if a score sync had run.
    await db.execute(sql`UPDATE free_order f SET score = s.score
      FROM submissions s WHERE s.id = f.submission_id AND s.id = ${submission.id} AND s.tier = 'free'
        AND f.free_since = s.tier_since`);
  }
  return submission.id;
}

export async function setDiscordPoints(
  db: Queryable,
  guildId: string,
  user: string,
  points: number,
  coins = 0,
) {
  await db.execute(sql`INSERT INTO user_points (guild_id, discord_user_id, points, coins) VALUES (${guildId}, ${user}, ${points}, ${coins})
    ON CONFLICT (guild_id, discord_user_id) DO UPDATE SET points = EXCLUDED.points, coins = EXCLUDED.coins`);
}

export async function linkTikTok(
  db: Queryable,
  guildId: string,
  user: string,
  account: { id: string; handle: string; points?: number; coins?: number },
) {
  await db.execute(sql`INSERT INTO tiktok_accounts (guild_id, tiktok_user_id, handle, discord_user_id, linked_at, points, coins)
    VALUES (${guildId}, ${account.id}, ${account.handle}, ${user}, now(), ${account.points ?? 0}, ${account.coins ?? 0})`);
}
