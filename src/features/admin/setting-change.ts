import { UserFacingError } from '../../domain/errors.js';
import { settingLabel } from '../../domain/guild-settings.js';
import { recordAudit } from '../../storage/audit-repo.js';
import type { Queryable } from '../../storage/connect.js';
import {
  getGuildConfig,
  inGuildConfigTransaction,
  updateGuildSettings,
} from '../../storage/guild-config-repo.js';
import {
  findSettingKey,
  parseSettingValue,
  readSetting,
  showSetting,
  withSetting,
  type SettingKey,
} from './setting-keys.js';

/** A stored change, as the admin reads it: the setting's label and its values as shown. */
export interface SettingChange {
  key: SettingKey;
  label: string;
  before: string;
  after: string;
}

/**
 * One setting changed by an admin, from `/admin config set` or the studio's settings page: the
 * setting named by key or label, the typed value parsed for its kind, the whole settings validated
 * by the schema, and a `config_set` audit row, in one transaction. A value that is refused throws a
 * UserFacingError that ends in "Nothing changed.", and nothing is written.
 */
export async function changeSetting(
  db: Queryable,
  guildId: string,
  actorId: string,
  keyOrLabel: string,
  rawValue: string,
): Promise<SettingChange> {
  const known = (await getGuildConfig(db, guildId)).settings;
  const key = findSettingKey(keyOrLabel, known);
  if (key === null) {
    throw new UserFacingError(
      'not_found',
      'There is no such setting: pick one from the list, or see them all with /admin config show.',
    );
  }
  const value = parseSettingValue(key, rawValue, known);
  return inGuildConfigTransaction(db, guildId, async (tx) => {
    // Read under updateGuildSettings' lock, so "was" is what this change replaced.
    let before: unknown;
    const updated = await updateGuildSettings(tx, guildId, (current) => {
      before = readSetting(current, key);
      return withSetting(current, key, value);
    });
    const after = readSetting(updated, key);
    await recordAudit(tx, {
      guildId,
      actorId,
      action: 'config_set',
      details: { key, from: before, to: after },
    });
    return {
      key,
      label: settingLabel(key, updated),
      before: showSetting(key, before),
      after: showSetting(key, after),
    };
  });
}

/** What the admin is told once a change is stored, in Discord and on the page alike. */
export function settingChangeMessage(change: SettingChange): string {
  return `${change.label} is now ${change.after} (was ${change.before}).`;
}
