import { z } from 'zod';
import { BUY_SKIP_DEFAULTS, GIFT_COIN_RATE, WATCH_COIN_RATE } from './coins.js';
import { DEFAULT_POINT_RATES } from './points.js';
import { DEFAULT_GIFT_SKIP_THRESHOLDS } from './skips.js';
import { DEFAULT_SUBMISSION_RULES } from './submission-rules.js';
import { SKIP_TIERS } from './tiers.js';

/**
 * Per-guild rules an admin can change. Stored as JSON in guild_config.settings; anything missing
 * takes the default, so adding a setting needs no migration.
 */
const count = z.number().int().min(0).max(1_000_000);
const rate = z.object({
  coins: z.number().int().min(1).max(1_000),
  per: z.number().int().min(1).max(1_000_000),
});

export const guildSettingsSchema = z.object({
  points: z
    .object({
      like: count.default(DEFAULT_POINT_RATES.like),
      comment: count.default(DEFAULT_POINT_RATES.comment),
      share: count.default(DEFAULT_POINT_RATES.share),
      follow: count.default(DEFAULT_POINT_RATES.follow),
      giftPerCoinBelow: count.default(DEFAULT_POINT_RATES.giftPerCoinBelow),
      giftPerCoinFrom: count.default(DEFAULT_POINT_RATES.giftPerCoinFrom),
      giftBreakpoint: count.default(DEFAULT_POINT_RATES.giftBreakpoint),
    })
    .prefault({}),
  giftCoinRate: rate.default(GIFT_COIN_RATE),
  watchCoinRate: rate.default(WATCH_COIN_RATE),
  giftSkipThresholds: z
    .object({
      skip5: count.default(DEFAULT_GIFT_SKIP_THRESHOLDS.skip5),
      skip10: count.default(DEFAULT_GIFT_SKIP_THRESHOLDS.skip10),
      skip15: count.default(DEFAULT_GIFT_SKIP_THRESHOLDS.skip15),
      skip20: count.default(DEFAULT_GIFT_SKIP_THRESHOLDS.skip20),
      skip25: count.default(DEFAULT_GIFT_SKIP_THRESHOLDS.skip25),
    })
    .prefault({})
    .refine(
      (t) => t.skip5 < t.skip10 && t.skip10 < t.skip15 && t.skip15 < t.skip20 && t.skip20 < t.skip25,
      'gift thresholds must increase from 5 Skip to 25+ Skip',
    ),
  autoGiftSkips: z.boolean().default(true),
  buySkip: z
    .object({
      price: z.number().int().min(1).max(1_000_000_000).default(BUY_SKIP_DEFAULTS.price),
      tier: z.enum(SKIP_TIERS).default(BUY_SKIP_DEFAULTS.tier),
    })
    .prefault({}),
  submissionRules: z
    .object({
      maxOpenPerUser: z.number().int().min(1).max(50).default(DEFAULT_SUBMISSION_RULES.maxOpenPerUser),
      cooldownSeconds: z.number().int().min(0).max(86_400).default(DEFAULT_SUBMISSION_RULES.cooldownSeconds),
      allowDuplicateLinks: z.boolean().default(DEFAULT_SUBMISSION_RULES.allowDuplicateLinks),
    })
    .prefault({}),
  channelHygiene: z.boolean().default(false),
  watchWindowMinutes: z.number().int().min(1).max(60).default(5),
  linkCodeTtlMinutes: z.number().int().min(1).max(1_440).default(10),
});

export type GuildSettings = z.infer<typeof guildSettingsSchema>;

export const DEFAULT_GUILD_SETTINGS: GuildSettings = guildSettingsSchema.parse({});

/** Stored JSON → settings. Admins change it through validated commands; a hand-edited invalid value falls back to the defaults. */
export function parseGuildSettings(stored: unknown): GuildSettings {
  const parsed = guildSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_GUILD_SETTINGS;
}
