import { UserFacingError } from '../../domain/errors.js';
import {
  isSettingKey,
  SETTING_KEY_LIST,
  settingLabel,
  type GuildSettings,
  type SettingKey,
} from '../../domain/guild-settings.js';
import { SKIP_TIERS, TIER_LABELS, type SkipTier } from '../../domain/tiers.js';

export type { SettingKey };
export type SettingKind = 'number' | 'switch' | 'tier';

/** How each setting is typed in `/admin config set` and shown back; the labels live with the settings. */
const SETTING_KINDS: Record<SettingKey, SettingKind> = {
  'points.like': 'number',
  'points.comment': 'number',
  'points.share': 'number',
  'points.follow': 'number',
  'points.giftPerCoinBelow': 'number',
  'points.giftPerCoinFrom': 'number',
  'points.giftBreakpoint': 'number',
  'giftCoinRate.coins': 'number',
  'giftCoinRate.per': 'number',
  'watchCoinRate.coins': 'number',
  'watchCoinRate.per': 'number',
  'giftSkipThresholds.skip5': 'number',
  'giftSkipThresholds.skip10': 'number',
  'giftSkipThresholds.skip15': 'number',
  'giftSkipThresholds.skip20': 'number',
  'giftSkipThresholds.skip25': 'number',
  autoGiftSkips: 'switch',
  'buySkip.price': 'number',
  'buySkip.tier': 'tier',
  'submissionRules.maxOpenPerUser': 'number',
  'submissionRules.cooldownSeconds': 'number',
  'submissionRules.allowDuplicateLinks': 'switch',
  channelHygiene: 'switch',
  watchWindowMinutes: 'number',
  linkCodeTtlMinutes: 'number',
  undoNextMinutes: 'number',
};

/** Headings of `/admin config show`, by the first part of a setting's key. */
const SECTIONS: Record<string, string> = {
  points: 'Points',
  giftCoinRate: 'Luxury Coins',
  watchCoinRate: 'Luxury Coins',
  giftSkipThresholds: 'Skips from gifts',
  autoGiftSkips: 'Skips from gifts',
  buySkip: 'Buying a skip',
  submissionRules: 'Submitting songs',
  channelHygiene: 'Submitting songs',
  watchWindowMinutes: 'TikTok LIVE',
  linkCodeTtlMinutes: 'TikTok LIVE',
  undoNextMinutes: 'Reviewing',
};

export const SETTING_KEYS: readonly SettingKey[] = SETTING_KEY_LIST;

export function settingKind(key: SettingKey): SettingKind {
  return SETTING_KINDS[key];
}

export function settingSection(key: SettingKey): string {
  return SECTIONS[key.split('.')[0] ?? key] ?? 'Other';
}

/**
 * The setting an admin named: its key (what autocomplete sends) or its label as shown, in any case.
 * Null when neither matches.
 */
export function findSettingKey(typed: string, settings: GuildSettings): SettingKey | null {
  const text = typed.trim();
  if (isSettingKey(text)) return text;
  const wanted = text.toLowerCase();
  return SETTING_KEYS.find((key) => settingLabel(key, settings).toLowerCase() === wanted) ?? null;
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
  if (SETTING_KINDS[key] === 'switch') return value ? 'on' : 'off';
  if (SETTING_KINDS[key] === 'tier') return TIER_LABELS[value as SkipTier];
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
export function parseSettingValue(key: SettingKey, raw: string, settings: GuildSettings): unknown {
  const text = raw.trim().toLowerCase();
  const label = settingLabel(key, settings);
  switch (SETTING_KINDS[key]) {
    case 'number': {
      const digits = text.replace(/[,_\s]/g, '');
      if (/^-?\d+$/.test(digits) && Number.isSafeInteger(Number(digits))) return Number(digits);
      throw new UserFacingError(
        'invalid_amount',
        `${label} must be a whole number, like 10. Nothing changed.`,
      );
    }
    case 'switch': {
      const value = SWITCH_WORDS[text];
      if (value !== undefined) return value;
      throw new UserFacingError('invalid_amount', `${label} takes on or off. Nothing changed.`);
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
      throw new UserFacingError('invalid_amount', `${label} must be one of ${options}. Nothing changed.`);
    }
  }
}
