import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { SETTING_HELP, settingLabel, type GuildSettings } from '../../domain/guild-settings.js';
import { SKIP_TIERS, TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import type { HttpRoute } from '../../http/routes.js';
import { studioNotAdminPage, studioSettingsPage } from '../../overlay/pages/studio-settings-page.js';
import { studioSignedOutPage } from '../../overlay/pages/studio-sign-in-pages.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { changeSetting, settingChangeMessage } from '../admin/setting-change.js';
import {
  readSetting,
  SETTING_KEYS,
  settingKind,
  settingSection,
  showSetting,
} from '../admin/setting-keys.js';
import { studioSession } from './studio-auth.js';
import {
  answerJson,
  DEFAULT_STUDIO_LIMITS,
  fromStudioPage,
  json,
  limited,
  tooMany,
  type StudioLimits,
} from './studio-routes.js';

/** What the settings page posts: one setting, by key, and the value as an admin would type it. */
const settingChangeSchema = z.object({
  key: z.enum(SETTING_KEYS as [string, ...string[]]),
  value: z.string().max(40),
});

const NOT_ADMIN = 'Only members with the Manage Server permission can do that.';

/** Every setting, in the sections and order of `/admin config show`, with what the page needs to edit it. */
function settingsView(settings: GuildSettings) {
  const sections: { title: string; settings: unknown[] }[] = [];
  for (const key of SETTING_KEYS) {
    const title = settingSection(key);
    let section = sections.at(-1);
    if (section?.title !== title) {
      section = { title, settings: [] };
      sections.push(section);
    }
    const kind = settingKind(key);
    const value = readSetting(settings, key);
    section.settings.push({
      key,
      label: settingLabel(key, settings),
      help: SETTING_HELP[key],
      kind,
      value: showSetting(key, value),
      ...(kind === 'tier'
        ? { tier: value, choices: SKIP_TIERS.map((tier) => ({ value: tier, label: TIER_LABELS[tier] })) }
        : {}),
    });
  }
  return { sections };
}

/**
 * The studio's settings page, for admins (Manage Server, asked of Discord on every request, like
 * the reviewer role). A change goes through changeSetting, as `/admin config set` does: the same
 * parsing, schema, audit row and words.
 */
export function settingsRoutes(ctx: BotContext, limits: StudioLimits = DEFAULT_STUDIO_LIMITS): HttpRoute[] {
  const db = ctx.database.db;
  const changes = new RateLimiterMemory({ points: limits.actionsPerMinute, duration: 60 });
  return [
    {
      method: 'GET',
      path: '/studio/me',
      async handle({ headers }) {
        const session = await studioSession(ctx, headers);
        if (!session) return json(401, { error: 'signed out' });
        return json(200, { admin: session.admin });
      },
    },
    {
      method: 'GET',
      path: '/studio/settings',
      async handle({ headers }) {
        const session = await studioSession(ctx, headers);
        if (!session) return studioSignedOutPage();
        return session.admin ? studioSettingsPage() : studioNotAdminPage();
      },
    },
    {
      method: 'GET',
      path: '/studio/settings/data',
      async handle({ headers }) {
        const session = await studioSession(ctx, headers);
        if (!session) return json(401, { error: 'signed out' });
        if (!session.admin) return json(403, { error: NOT_ADMIN });
        return json(200, settingsView((await getGuildConfig(db, session.guildId)).settings));
      },
    },
    {
      method: 'POST',
      path: '/studio/settings',
      async handle(request) {
        const session = await fromStudioPage(ctx, request);
        if (!('sessionSha256' in session)) return session;
        const over = await limited(changes, session.sessionSha256);
        if (over) return tooMany(over, 'changes');
        if (!session.admin) return json(403, { error: NOT_ADMIN });
        return answerJson(
          request.body,
          settingChangeSchema,
          'That is not a setting change the studio knows.',
          async ({ key, value }) =>
            settingChangeMessage(await changeSetting(db, session.guildId, session.memberId, key, value)),
        );
      },
    },
  ];
}
