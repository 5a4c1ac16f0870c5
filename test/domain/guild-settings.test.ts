import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GUILD_SETTINGS,
  describeSettingsProblems,
  guildSettingsSchema,
  SETTING_KEY_LIST,
  settingLabel,
} from '../../src/domain/guild-settings.js';

function problemsOf(settings: unknown): string {
  const parsed = guildSettingsSchema.safeParse(settings);
  if (parsed.success) throw new Error('expected the settings to be refused');
  return describeSettingsProblems(parsed.error.issues);
}

describe('settings are named in words an admin reads', () => {
  it.each(SETTING_KEY_LIST)('%s has a label without code: no key, dots or camelCase', (key) => {
    const label = settingLabel(key);
    expect(label).not.toContain(key);
    expect(label.replaceAll('TikTok', 'Tiktok')).not.toMatch(/\w\.\w|[a-z][A-Z]/);
    // Room for " (now 1,000,000)" in a 100-character autocomplete choice.
    expect(label.length).toBeLessThanOrEqual(80);
  });

  it('names a rate by its other half as it is now', () => {
    expect(settingLabel('giftCoinRate.coins')).toBe('Luxury Coins per 100 TikTok coins gifted');
    expect(settingLabel('watchCoinRate.per')).toBe('Minutes watched for 1 Luxury Coin');
    const changed = { ...DEFAULT_GUILD_SETTINGS, giftCoinRate: { coins: 3, per: 1000 } };
    expect(settingLabel('giftCoinRate.coins', changed)).toBe('Luxury Coins per 1,000 TikTok coins gifted');
    expect(settingLabel('giftCoinRate.per', changed)).toBe('TikTok coins gifted for 3 Luxury Coins');
  });
});

describe('refused settings are explained in plain words', () => {
  it('says the largest value allowed, with thousands separators', () => {
    expect(problemsOf({ points: { like: 2_000_000 } })).toBe('Points for a like must be at most 1,000,000.');
  });

  it('says the smallest value allowed', () => {
    expect(problemsOf({ buySkip: { price: 0 } })).toBe(
      'Price of /buy-skip in Luxury Coins must be at least 1.',
    );
  });

  it('asks for a whole number', () => {
    expect(problemsOf({ linkCodeTtlMinutes: 1.5 })).toBe(
      'Minutes a /link tiktok code stays valid must be a whole number.',
    );
  });

  it('explains gift skip amounts that do not rise', () => {
    expect(problemsOf({ giftSkipThresholds: { skip5: 9000 } })).toBe(
      'The TikTok coins a gift needs for a skip must rise from 5 Skip to 25+ Skip, each more than the one before.',
    );
  });

  it('gives one sentence per problem', () => {
    expect(problemsOf({ points: { like: -1, share: 2_000_000 } }).split('\n')).toEqual([
      'Points for a like must be at least 0.',
      'Points for a share must be at most 1,000,000.',
    ]);
  });
});
