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
      'The TikTok coins a gift needs for a skip must rise from 5 Skip to 25+ Skip, each more than the one before.',
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
  /** How long a reviewer can undo a mistaken /next; 0 turns undo off. */
  undoNextMinutes: z.number().int().min(0).max(60).default(2),
});

export type GuildSettings = z.infer<typeof guildSettingsSchema>;

export const DEFAULT_GUILD_SETTINGS: GuildSettings = guildSettingsSchema.parse({});

/** Stored JSON → settings. Admins change it through validated commands; a hand-edited invalid value falls back to the defaults. */
export function parseGuildSettings(stored: unknown): GuildSettings {
  const parsed = guildSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_GUILD_SETTINGS;
}

/** `a.b` paths to every leaf of the settings, so a table keyed by them must name each one. */
type LeafPath<T> = {
  [K in keyof T & string]: T[K] extends Record<string, unknown> ? `${K}.${LeafPath<T[K]>}` : K;
}[keyof T & string];

export type SettingKey = LeafPath<GuildSettings>;

const shown = (n: number) => n.toLocaleString('en-US');
const luxuryCoins = (n: number) => `${shown(n)} Luxury ${n === 1 ? 'Coin' : 'Coins'}`;

/**
 * Each setting in the words an admin reads ("Points for a like"), never its key. A conversion rate
 * has two settings, so each names the other half as it is now: "Luxury Coins per 100 TikTok coins
 * gifted". Labels read as the subject of "… must be at least 1".
 */
const SETTING_LABELS: Record<SettingKey, string | ((s: GuildSettings) => string)> = {
  'points.like': 'Points for a like',
  'points.comment': 'Points for a chat message',
  'points.share': 'Points for a share',
  'points.follow': 'Points for a follow',
  'points.giftPerCoinBelow': 'Points per TikTok coin of a gift, below the big-gift size',
  'points.giftPerCoinFrom': 'Points per TikTok coin of a gift, from the big-gift size up',
  'points.giftBreakpoint': 'Big-gift size in TikTok coins, where gift points per coin change',
  'giftCoinRate.coins': (s) => `Luxury Coins per ${shown(s.giftCoinRate.per)} TikTok coins gifted`,
  'giftCoinRate.per': (s) => `TikTok coins gifted for ${luxuryCoins(s.giftCoinRate.coins)}`,
  'watchCoinRate.coins': (s) => `Luxury Coins per ${shown(s.watchCoinRate.per)} minutes watched`,
  'watchCoinRate.per': (s) => `Minutes watched for ${luxuryCoins(s.watchCoinRate.coins)}`,
  'giftSkipThresholds.skip5': 'TikTok coins in one gift for a 5 Skip',
  'giftSkipThresholds.skip10': 'TikTok coins in one gift for a 10 Skip',
  'giftSkipThresholds.skip15': 'TikTok coins in one gift for a 15 Skip',
  'giftSkipThresholds.skip20': 'TikTok coins in one gift for a 20 Skip',
  'giftSkipThresholds.skip25': 'TikTok coins in one gift for a 25+ Skip',
  autoGiftSkips: 'Big gifts move the gifter’s song up by themselves',
  'buySkip.price': 'Price of /buy-skip in Luxury Coins',
  'buySkip.tier': 'Skip that /buy-skip buys',
  'submissionRules.maxOpenPerUser': 'Songs one member may have waiting at once',
  'submissionRules.cooldownSeconds': 'Seconds a member waits between two songs',
  'submissionRules.allowDuplicateLinks': 'A song already waiting may be sent again',
  channelHygiene: 'Delete chatter in the submission channel',
  watchWindowMinutes: 'Minutes a viewer counts as watching after their last activity',
  linkCodeTtlMinutes: 'Minutes a /link tiktok code stays valid',
  undoNextMinutes: 'Minutes a reviewer can undo /next (0 turns undo off)',
};

/**
 * One sentence under each label on the studio's settings page: what the setting does for the stream,
 * in the admin's words. A record over every key, so a new setting without help fails the typecheck.
 */
export const SETTING_HELP: Record<SettingKey, string> = {
  'points.like': 'Engagement points a viewer earns per TikTok like; they order the Free tier.',
  'points.comment': 'Engagement points a viewer earns per chat message on the LIVE.',
  'points.share': 'Engagement points a viewer earns for sharing the LIVE.',
  'points.follow': 'Engagement points a viewer earns for following the streamer.',
  'points.giftPerCoinBelow': 'Points per TikTok coin for the part of a gift below the big-gift size.',
  'points.giftPerCoinFrom':
    'Points per TikTok coin for the part of a gift from the big-gift size up, so one huge gift does not outweigh the crowd.',
  'points.giftBreakpoint': 'Where a gift counts as big and its further coins earn the second rate.',
  'giftCoinRate.coins': 'Luxury Coins a viewer gets for gifting; leftovers carry over to the next gift.',
  'giftCoinRate.per': 'How many TikTok coins of gifts earn that many Luxury Coins.',
  'watchCoinRate.coins': 'Luxury Coins a viewer gets for watching the LIVE.',
  'watchCoinRate.per': 'How many minutes of watching earn that many Luxury Coins.',
  'giftSkipThresholds.skip5': 'A single gift worth at least this many TikTok coins earns a 5 Skip.',
  'giftSkipThresholds.skip10': 'A single gift worth at least this many TikTok coins earns a 10 Skip.',
  'giftSkipThresholds.skip15': 'A single gift worth at least this many TikTok coins earns a 15 Skip.',
  'giftSkipThresholds.skip20': 'A single gift worth at least this many TikTok coins earns a 20 Skip.',
  'giftSkipThresholds.skip25': 'A single gift worth at least this many TikTok coins earns a 25+ Skip.',
  autoGiftSkips:
    'On: a single gift worth enough TikTok coins gives its sender a skip by itself. Off: gifts give no skips.',
  'buySkip.price': 'What a member pays in Luxury Coins to move their song up with /buy-skip.',
  'buySkip.tier': 'The skip tier a song moves to when its sender uses /buy-skip.',
  'submissionRules.maxOpenPerUser':
    'A member can send another song once one of theirs has played or left the queue.',
  'submissionRules.cooldownSeconds': 'Stops one member flooding the queue; 0 lets them send right away.',
  'submissionRules.allowDuplicateLinks': 'Off: a link already in the queue is refused, whoever sent it.',
  channelHygiene:
    'On: messages in the submission channel with no link and no file are deleted, with a short notice.',
  watchWindowMinutes: 'A viewer who goes quiet for longer stops earning Luxury Coins for watching.',
  linkCodeTtlMinutes: 'How long a viewer has to type their code on the LIVE to link their TikTok account.',
  undoNextMinutes: 'How long after /next a reviewer can put the song back, if they took it by mistake.',
};

export const SETTING_KEY_LIST = Object.keys(SETTING_LABELS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_LABELS, key);
}

/** The setting's label, with the rates' other half taken from `settings`. */
export function settingLabel(key: SettingKey, settings: GuildSettings = DEFAULT_GUILD_SETTINGS): string {
  const label = SETTING_LABELS[key];
  return typeof label === 'string' ? label : label(settings);
}

/**
 * Why settings were refused, one sentence per problem in the admin's words ("Points for a like must
 * be at most 1,000,000."), never the validator's ("points.like: Too big: expected number to be
 * <=1000000"). `settings` names the rates' other half.
 */
export function describeSettingsProblems(
  issues: readonly z.core.$ZodIssue[],
  settings: GuildSettings = DEFAULT_GUILD_SETTINGS,
): string {
  return issues
    .map((issue) => {
      const path = issue.path.join('.');
      const subject = isSettingKey(path) ? settingLabel(path, settings) : 'That setting';
      switch (issue.code) {
        case 'too_big':
          return `${subject} must be at most ${shown(Number(issue.maximum))}.`;
        case 'too_small':
          return `${subject} must be at least ${shown(Number(issue.minimum))}.`;
        case 'invalid_type':
          return `${subject} must be ${issue.expected === 'boolean' ? 'on or off' : 'a whole number'}.`;
        case 'custom':
          return issue.message;
        default:
          return `${subject} can't take that value.`;
      }
    })
    .join('\n');
}
