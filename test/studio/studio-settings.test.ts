import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { getGuildConfig } from '../../src/storage/guild-config-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { signedInStudio, type StudioClient } from './studio-support.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

const settings = async () => (await getGuildConfig(database.db, t.guildId)).settings;
const configAudit = () =>
  rowsOf<Record<string, unknown>>(
    database.db,
    sql`SELECT guild_id, actor_id, action, target_user_id, submission_id, reason, details
        FROM audit_log WHERE action = 'config_set' ORDER BY id`,
  );

/** `/admin config set` through the local Discord, as the admin; its private answer. */
async function slashSet(key: string, value: string): Promise<string> {
  const { body } = await t.discord
    .slashCommand({
      channelId: t.channels.general,
      user: t.users.admin,
      name: 'admin',
      subcommandGroup: 'config',
      subcommand: 'set',
      options: { key, value },
    })
    .reply();
  return String(body.data.content ?? '');
}

/** POST /studio/settings as the page sends it; the status and the JSON answer. */
async function save(studio: StudioClient, body: unknown, headers?: Record<string, string>) {
  const answer = await studio.request('/studio/settings', {
    method: 'POST',
    body,
    ...(headers ? { headers } : {}),
  });
  return { status: answer.status, ...((await answer.json()) as { message?: string; error?: string }) };
}

interface ShownSetting {
  key: string;
  label: string;
  help: string;
  kind: string;
  value: string;
  tier?: string;
  choices?: { value: string; label: string }[];
}

describe('an admin changes settings in the studio as with /admin config set', () => {
  it('the change is stored, answered and audited exactly as the slash command does it', async () => {
    const studio = await signedInStudio(t, t.users.admin);
    expect(await save(studio, { key: 'points.like', value: '3' })).toEqual({
      status: 200,
      message: 'Points for a like is now 3 (was 1).',
    });
    expect((await settings()).points.like).toBe(3);

    expect(await slashSet('points.like', '1')).toBe('Points for a like is now 1 (was 3).');
    expect(await slashSet('points.like', '3')).toBe('Points for a like is now 3 (was 1).');
    const [byPage, , bySlash] = await configAudit();
    expect(byPage).toEqual(bySlash);
    expect(byPage).toMatchObject({
      actor_id: t.users.admin.id,
      details: { key: 'points.like', from: 1, to: 3 },
    });
  });

  it('takes a switch as on/off and a tier by its id, as the page sends them', async () => {
    const studio = await signedInStudio(t, t.users.admin);
    expect(await save(studio, { key: 'channelHygiene', value: 'on' })).toEqual({
      status: 200,
      message: 'Delete chatter in the submission channel is now on (was off).',
    });
    expect(await save(studio, { key: 'buySkip.tier', value: 'skip15' })).toEqual({
      status: 200,
      message: 'Skip that /buy-skip buys is now 15 Skip (was 10 Skip).',
    });
    const stored = await settings();
    expect([stored.channelHygiene, stored.buySkip.tier]).toEqual([true, 'skip15']);
  });

  it.each([
    ['points.like', '2000000'],
    ['giftSkipThresholds.skip5', '9000'],
    ['buySkip.price', 'lots'],
    ['autoGiftSkips', 'maybe'],
  ])('refuses %s = "%s" with the words of the slash command, and changes nothing', async (key, value) => {
    const studio = await signedInStudio(t, t.users.admin);
    const before = await settings();
    const answer = await save(studio, { key, value });
    const slashAnswer = await slashSet(key, value);
    expect(slashAnswer).toMatch(/Nothing changed\.$/);
    expect(answer).toEqual({ status: 409, error: slashAnswer });
    expect(await settings()).toEqual(before);
    expect(await configAudit()).toEqual([]);
  });

  it('the data lists every setting by section, with its label, help, kind and value as shown', async () => {
    const studio = await signedInStudio(t, t.users.admin);
    const response = await studio.request('/studio/settings/data');
    expect(response.status).toBe(200);
    const { sections } = (await response.json()) as {
      sections: { title: string; settings: ShownSetting[] }[];
    };
    expect(sections.map((s) => s.title)).toEqual([
      'Points',
      'Luxury Coins',
      'Skips from gifts',
      'Buying a skip',
      'Submitting songs',
      'TikTok LIVE',
      'Reviewing',
    ]);
    const all = sections.flatMap((s) => s.settings);
    expect(all).toHaveLength(26);
    for (const setting of all) expect(setting.help.length, setting.key).toBeGreaterThan(20);
    const byKey = new Map(all.map((s) => [s.key, s]));
    expect(byKey.get('points.like')).toEqual({
      key: 'points.like',
      label: 'Points for a like',
      help: 'Engagement points a viewer earns per TikTok like; they order the Free tier.',
      kind: 'number',
      value: '1',
    });
    expect(byKey.get('buySkip.price')?.value).toBe('1,000');
    expect(byKey.get('channelHygiene')).toMatchObject({ kind: 'switch', value: 'off' });
    expect(byKey.get('buySkip.tier')).toMatchObject({ kind: 'tier', value: '10 Skip', tier: 'skip10' });
    expect(byKey.get('buySkip.tier')?.choices?.map((c) => c.label)).toEqual([
      '25+ Skip',
      '20 Skip',
      '15 Skip',
      '10 Skip',
      '5 Skip',
    ]);
  });
});

describe('only admins, only from the studio page', () => {
  it('a reviewer who is not an admin gets 403 on the page, the data and a change; /studio/me says so', async () => {
    const studio = await signedInStudio(t, t.users.reviewer);
    const page = await studio.request('/studio/settings');
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('Only admins can change the settings');
    expect((await studio.request('/studio/settings/data')).status).toBe(403);
    expect(await save(studio, { key: 'points.like', value: '3' })).toEqual({
      status: 403,
      error: 'Only members with the Manage Server permission can do that.',
    });
    expect(await (await studio.request('/studio/me')).json()).toEqual({ admin: false });
    expect(await (await (await signedInStudio(t, t.users.admin)).request('/studio/me')).json()).toEqual({
      admin: true,
    });
    expect((await settings()).points.like).toBe(1);
    expect(await configAudit()).toEqual([]);
  });

  it('Manage Server is asked of Discord on every request: granted, the page opens; taken away, it closes', async () => {
    const studio = await signedInStudio(t, t.users.reviewer);
    expect((await studio.request('/studio/settings')).status).toBe(403);
    // The Admin role (Manage Server) the bot knows from the start; Discord has no role update to send.
    const [adminRole] = t.discord.world.member(t.guildId, t.users.admin.id).roles;
    const member = t.discord.world.member(t.guildId, t.users.reviewer.id);
    member.roles.push(adminRole!);
    expect((await studio.request('/studio/settings')).status).toBe(200);
    expect((await save(studio, { key: 'points.like', value: '4' })).status).toBe(200);
    member.roles.splice(member.roles.indexOf(adminRole!), 1);
    expect((await save(studio, { key: 'points.like', value: '5' })).status).toBe(403);
    expect((await settings()).points.like).toBe(4);
  });

  it('without a session: the signed-out page (401), and 401 for the data', async () => {
    const studio = await signedInStudio(t, t.users.admin);
    const page = await fetch(`${studio.base}/studio/settings`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('You are not signed in');
    expect((await fetch(`${studio.base}/studio/settings/data`)).status).toBe(401);
    expect((await fetch(`${studio.base}/studio/me`)).status).toBe(401);
  });

  it.each([
    ['another site’s origin', { origin: 'https://evil.example' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['no X-Studio-Request header', { 'x-studio-request': '' }],
  ])('a change with %s is refused (403) and nothing changes', async (_, headers) => {
    const studio = await signedInStudio(t, t.users.admin);
    expect(await save(studio, { key: 'points.like', value: '3' }, headers)).toEqual({
      status: 403,
      error: 'Cross-site request refused.',
    });
    expect((await settings()).points.like).toBe(1);
    expect(await configAudit()).toEqual([]);
  });

  it('a malformed body is refused (400) and nothing changes', async () => {
    const studio = await signedInStudio(t, t.users.admin);
    const notJson = await fetch(`${studio.base}/studio/settings`, {
      method: 'POST',
      headers: { cookie: studio.cookie, origin: studio.base, 'x-studio-request': '1' },
      body: '{"key": "points.like", value',
    });
    expect(notJson.status).toBe(400);
    const unknown = { status: 400, error: 'That is not a setting change the studio knows.' };
    expect(await save(studio, { key: 'no.such.key', value: '1' })).toEqual(unknown);
    expect(await save(studio, { key: 'points.like', value: 3 })).toEqual(unknown);
    expect(await save(studio, { key: 'points.like' })).toEqual(unknown);
    expect(await save(studio, { key: 'points.like', value: '1'.repeat(41) })).toEqual(unknown);
    expect(await save(studio, ['points.like', '3'])).toEqual(unknown);
    expect((await settings()).points.like).toBe(1);
    expect(await configAudit()).toEqual([]);
  });
});
