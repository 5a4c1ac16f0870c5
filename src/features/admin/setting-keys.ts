import { UserFacingError } from '../../domain/errors.js';
import type { GuildSettings } from '../../domain/guild-settings.js';
import { SKIP_TIERS, TIER_LABELS, type SkipTier } from '../../domain/tiers.js';

/** `a.b` paths to every leaf of the settings, so the table below must name each one. */
type LeafPath<T> = {
  [K in keyof T & string]: T[K] extends Record<string, unknown> ? `${K}.${LeafPath<T[K]>}` : K;
}[keyof T & string];

export type SettingKey = LeafPath<GuildSettings>;
type Kind = 'number' | 'switch' | 'tier';

/** What `/admin config set` can change, with the words admins see in autocomplete. */
export const SETTING_KEYS: Record<SettingKey, { kind: Kind; about: string }> = {
  'points.like': { kind: 'number', about: 'points per like' },
  'points.comment': { kind: 'number', about: 'points per chat message' },
  'points.share': { kind: 'number', about: 'points per share' },
  'points.follow': { kind: 'number', about: 'points per follow' },
  'points.giftPerCoinBelow': { kind: 'number', about: 'points per gift coin below the breakpoint' },
  'points.giftPerCoinFrom': { kind: 'number', about: 'points per gift coin from the breakpoint' },
  'points.giftBreakpoint': { kind: 'number', about: 'gift size where the lower point rate starts' },
  'giftCoinRate.coins': { kind: 'number', about: 'Luxury Coins earned per giftCoinRate.per gift coins' },
  'giftCoinRate.per': { kind: 'number', about: 'TikTok gift coins per giftCoinRate.coins' },
  'watchCoinRate.coins': { kind: 'number', about: 'Luxury Coins earned per watchCoinRate.per minutes' },
  'watchCoinRate.per': { kind: 'number', about: 'minutes watched per watchCoinRate.coins' },
  'giftSkipThresholds.skip5': { kind: 'number', about: 'gift coins for a 5 Skip' },
  'giftSkipThresholds.skip10': { kind: 'number', about: 'gift coins for a 10 Skip' },
  'giftSkipThresholds.skip15': { kind: 'number', about: 'gift coins for a 15 Skip' },
  'giftSkipThresholds.skip20': { kind: 'number', about: 'gift coins for a 20 Skip' },
  'giftSkipThresholds.skip25': { kind: 'number', about: 'gift coins for a 25+ Skip' },
  autoGiftSkips: { kind: 'switch', about: 'big gifts skip the gifter’s song automatically' },
  'buySkip.price': { kind: 'number', about: 'Luxury Coins a /buy-skip costs' },
  'buySkip.tier': { kind: 'tier', about: 'skip tier a /buy-skip buys' },
  'submissionRules.maxOpenPerUser': { kind: 'number', about: 'songs one member may have waiting' },
  'submissionRules.cooldownSeconds': { kind: 'number', about: 'seconds between two submissions' },
  'submissionRules.allowDuplicateLinks': {
    kind: 'switch',
    about: 'a link already waiting may be sent again',
  },
  channelHygiene: { kind: 'switch', about: 'delete chatter in the submission channel' },
  watchWindowMinutes: { kind: 'number', about: 'minutes a viewer counts as watching after activity' },
  linkCodeTtlMinutes: { kind: 'number', about: 'minutes a /link tiktok code stays valid' },
};

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_KEYS, key);
}

export function readSetting(settings: GuildSettings, key: SettingKey): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], settings);
}

/** A copy of the settings with one value replaced; validation of the whole happens in storage. */
export function withSetting(settings: GuildSettings, key: SettingKey, value: unknown): GuildSettings {
  const copy = structuredClone(settings) as unknown as Record<string, unknown>;
  const parts = key.split('.');
  const last = parts.pop() as string;
  const parent = parts.reduce((node, part) => node[part] as Record<string, unknown>, copy);
  parent[last] = value;
  return copy as unknown as GuildSettings;
}

export function showSetting(key: SettingKey, value: unknown): string {
  if (SETTING_KEYS[key].kind === 'switch') return value ? 'on' : 'off';
  if (SETTING_KEYS[key].kind === 'tier') return TIER_LABELS[value as SkipTier];
  return typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
}

const SWITCH_WORDS: Record<string, boolean> = {
  on: true,
  true: true,
  yes: true,
  off: false,
  false: false,
  no: false,
};

/** The typed text as the setting's type; the range is checked with the whole settings later. */
export function parseSettingValue(key: SettingKey, raw: string): unknown {
  const text = raw.trim().toLowerCase();
  switch (SETTING_KEYS[key].kind) {
    case 'number': {
      const digits = text.replace(/[,_\s]/g, '');
      if (/^-?\d+$/.test(digits) && Number.isSafeInteger(Number(digits))) return Number(digits);
      throw new UserFacingError('invalid_amount', `${key} takes a whole number, like 10; nothing changed.`);
    }
    case 'switch': {
      const value = SWITCH_WORDS[text];
      if (value !== undefined) return value;
      throw new UserFacingError('invalid_amount', `${key} takes on or off; nothing changed.`);
    }
    case 'tier': {
      const compact = text.replace(/[\s+]/g, '');
      const tier = SKIP_TIERS.find(
        (t) =>
          t === compact ||
          t === `skip${compact}` ||
          TIER_LABELS[t].toLowerCase().replace(/[\s+]/g, '') === compact,
      );
      if (tier) return tier;
      const options = SKIP_TIERS.map((t) => TIER_LABELS[t]).join(', ');
      throw new UserFacingError('invalid_amount', `${key} takes a skip tier (${options}); nothing changed.`);
    }
  }
}
