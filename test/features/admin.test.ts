import { ChannelType, MessageFlags } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BotModule, ModuleFactory } from '../../src/discord/module.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { listAudit, recordAudit } from '../../src/storage/audit-repo.js';
import { getGuildConfig } from '../../src/storage/guild-config-repo.js';
import {
  installUnhandledRejectionGuard,
  type InteractionHandle,
  type OptionValue,
} from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
let t: TestBot;

beforeEach(async () => {
  await database.reset();
});
afterEach(() => t.close());

function admin(
  subcommand: string,
  options: Record<string, OptionValue> = {},
  user = t.users.admin,
  subcommandGroup?: string,
) {
  return t.discord.slashCommand({
    channelId: t.channels.general,
    user,
    name: 'admin',
    subcommand,
    options,
    ...(subcommandGroup ? { subcommandGroup } : {}),
  });
}

const configSet = (key: string, value: string, user = t.users.admin) =>
  admin('set', { key, value }, user, 'config');

async function answer(handle: InteractionHandle) {
  const { body } = await handle.reply();
  expect(body.data.allowed_mentions).toEqual({ parse: [] });
  return {
    content: String(body.data.content ?? ''),
    ephemeral: (Number(body.data.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
    embeds: body.data.embeds ?? [],
  };
}

const config = () => getGuildConfig(database.db, t.guildId);

describe('channels and the reviewer role', () => {
  beforeEach(async () => {
    t = await startTestBot({ database, unconfigured: true });
  });

  it.each([
    ['set-submission-channel', 'submissionChannelId', 'submission channel'],
    ['set-reviewer-channel', 'reviewerChannelId', 'reviewer channel'],
    ['set-summary-channel', 'summaryChannelId', 'summary channel'],
  ] as const)('%s stores a text channel, audited', async (subcommand, field, label) => {
    const reply = await answer(admin(subcommand, { channel: t.channels.reviewers }));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(`The ${label} is now <#${t.channels.reviewers}>.`);
    expect((await config())[field]).toBe(t.channels.reviewers);
    expect((await listAudit(database.db, t.guildId))[0]).toMatchObject({
      action: 'config_set',
      actorId: t.users.admin.id,
      details: { key: field, to: t.channels.reviewers },
    });
  });

  it('refuses a channel that is not a text channel and stores nothing', async () => {
    const voice = t.discord.addChannel(t.guildId, { name: 'Stage', type: ChannelType.GuildVoice });
    const reply = await answer(admin('set-submission-channel', { channel: voice.id }));
    expect(reply.content).toMatch(/must be a text channel/);
    expect((await config()).submissionChannelId).toBeNull();
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('sets the reviewer role, and refuses @everyone', async () => {
    expect((await answer(admin('set-reviewer-role', { role: t.reviewerRoleId }))).content).toBe(
      `Reviewers are now the members with <@&${t.reviewerRoleId}>.`,
    );
    expect((await config()).reviewerRoleId).toBe(t.reviewerRoleId);
    expect((await answer(admin('set-reviewer-role', { role: t.guildId }))).content).toMatch(/not @everyone/);
    expect((await config()).reviewerRoleId).toBe(t.reviewerRoleId);
  });
});

describe('/admin config', () => {
  beforeEach(async () => {
    t = await startTestBot({ database });
  });

  it('shows channels, role and every setting in an embed', async () => {
    const reply = await answer(admin('show', {}, t.users.admin, 'config'));
    expect(reply.ephemeral).toBe(true);
    const description = reply.embeds[0]?.description ?? '';
    expect(description).toContain(`Submission channel: <#${t.channels.submissions}>`);
    expect(description).toContain(`Reviewer role: <@&${t.reviewerRoleId}>`);
    expect(description).toContain('Summary channel: not set');
    expect(description).toContain('`buySkip.price` 1,000');
    expect(description).toContain('`buySkip.tier` 10 Skip');
    expect(description).toContain('`channelHygiene` off');
  });

  it('sets a number, audited with the old and new value', async () => {
    const reply = await answer(configSet('buySkip.price', '2,500'));
    expect(reply.content).toBe('`buySkip.price` is now 2,500 (was 1,000).');
    expect((await config()).settings.buySkip.price).toBe(2500);
    expect((await listAudit(database.db, t.guildId))[0]).toMatchObject({
      action: 'config_set',
      details: { key: 'buySkip.price', from: 1000, to: 2500 },
    });
  });

  it.each([
    ['autoGiftSkips', 'off', (s: Settings) => s.autoGiftSkips, false],
    ['channelHygiene', 'ON', (s: Settings) => s.channelHygiene, true],
    ['buySkip.tier', '15 Skip', (s: Settings) => s.buySkip.tier, 'skip15'],
    ['giftSkipThresholds.skip5', '1500', (s: Settings) => s.giftSkipThresholds.skip5, 1500],
    ['submissionRules.cooldownSeconds', '0', (s: Settings) => s.submissionRules.cooldownSeconds, 0],
  ])('sets %s from "%s"', async (key, value, read, expected) => {
    expect((await answer(configSet(key, value))).content).toMatch(
      new RegExp(`^\`${key.replace('.', '\\.')}\` is now`),
    );
    expect(read((await config()).settings)).toBe(expected);
  });

  it.each([
    ['buySkip.price', 'lots', /buySkip\.price takes a whole number/],
    ['buySkip.price', '0', /buySkip\.price: .*>=1/],
    ['giftSkipThresholds.skip5', '9000', /gift thresholds must increase/],
    ['channelHygiene', 'maybe', /channelHygiene takes on or off/],
    ['buySkip.tier', 'free', /takes a skip tier \(25\+ Skip, 20 Skip/],
    ['no.such.key', '1', /There is no such setting/],
  ])('refuses %s = "%s" with the reason and writes nothing', async (key, value, reason) => {
    const before = (await config()).settings;
    const reply = await answer(configSet(key, value));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect((await config()).settings).toEqual(before);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('autocompletes keys containing what is typed, with their current value', async () => {
    const { body } = await t.discord
      .autocomplete({
        channelId: t.channels.general,
        user: t.users.admin,
        name: 'admin',
        subcommandGroup: 'config',
        subcommand: 'set',
        options: { key: 'BUYSKIP' },
        focused: 'key',
      })
      .reply();
    expect(body.data.choices).toEqual([
      { name: 'buySkip.price: Luxury Coins a /buy-skip costs (now 1,000)', value: 'buySkip.price' },
      { name: 'buySkip.tier: skip tier a /buy-skip buys (now 10 Skip)', value: 'buySkip.tier' },
    ]);
  });
});

type Settings = Awaited<ReturnType<typeof getGuildConfig>>['settings'];

describe('/admin audit', () => {
  beforeEach(async () => {
    t = await startTestBot({ database });
  });

  it('lists recent entries in an embed without pinging, optionally about one member', async () => {
    await recordAudit(database.db, {
      guildId: t.guildId,
      actorId: t.users.admin.id,
      action: 'coins_give',
      targetUserId: t.users.viewer.id,
      reason: '@everyone raffle',
      details: { delta: 50 },
    });
    await recordAudit(database.db, {
      guildId: t.guildId,
      actorId: t.users.admin.id,
      action: 'points_take',
      targetUserId: t.users.other.id,
      details: { delta: -5 },
    });
    const all = await answer(admin('audit'));
    expect(all.ephemeral).toBe(true);
    const lines = (all.embeds[0]?.description ?? '').split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`\\*\\*points_take\\*\\* by <@${t.users.admin.id}> · → <@${t.users.other.id}> · -5$`),
    );
    expect(lines[1]).toContain('**coins_give**');
    expect(lines[1]).toContain('+50 · “@\u200beveryone raffle”');

    const aboutViewer = await answer(admin('audit', { user: t.users.viewer.id }));
    expect(aboutViewer.embeds[0]?.description).not.toContain('points_take');
    expect(aboutViewer.embeds[0]?.description).toContain('coins_give');
  });
  it('shows a channel setting as the channel it names', async () => {
    await answer(admin('set-summary-channel', { channel: t.channels.general }));
    const reply = await answer(admin('audit'));
    expect(reply.embeds[0]?.description).toContain(`\`summaryChannelId\` = <#${t.channels.general}>`);
  });
});

describe('admin access', () => {
  beforeEach(async () => {
    t = await startTestBot({ database });
  });

  it.each([
    ['set-submission-channel', undefined, () => ({ channel: t.channels.general })],
    ['set-reviewer-channel', undefined, () => ({ channel: t.channels.general })],
    ['set-summary-channel', undefined, () => ({ channel: t.channels.general })],
    ['set-reviewer-role', undefined, () => ({ role: t.reviewerRoleId })],
    ['set', 'config', () => ({ key: 'buySkip.price', value: '1' })],
    ['show', 'config', () => ({})],
    ['audit', undefined, () => ({})],
    ['force-link', undefined, () => ({ user: t.users.viewer.id, handle: 'fan' })],
    ['give', 'coins', () => ({ user: t.users.viewer.id, amount: 5 })],
    ['take', 'points', () => ({ user: t.users.viewer.id, amount: 5 })],
    ['reload', undefined, () => ({ module: 'economy' })],
  ])('/admin … %s is refused to a viewer and changes nothing', async (sub, group, options) => {
    const before = await config();
    const reply = await answer(admin(sub, options(), t.users.viewer, group));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('Only members with the Manage Server permission can do that.');
    expect(reply.embeds).toEqual([]);
    expect(await config()).toEqual(before);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });
});

describe('/admin reload', () => {
  it('reloads economy and /coins keeps answering', async () => {
    t = await startTestBot({ database });
    expect((await answer(admin('reload', { module: 'economy' }))).content).toBe(
      'Reloaded the economy module.',
    );
    expect(t.bot.registry.isLoaded('economy')).toBe(true);
    const coins = await answer(
      t.discord.slashCommand({ channelId: t.channels.general, user: t.users.viewer, name: 'coins' }),
    );
    expect(coins.content).toMatch(/^You have \*\*0 Luxury Coins\*\*/);
  });

  it('cancels a module’s timers when it is reloaded or unloaded', async () => {
    const created: unknown[] = [];
    const stops: string[] = [];
    const ticker: ModuleFactory = (): BotModule => ({
      name: 'ticker',
      start(_ctx, scope) {
        // Catch the timer handles the registry creates for this module, to check each is cleared.
        const intervals = vi.spyOn(globalThis, 'setInterval');
        const timeouts = vi.spyOn(globalThis, 'setTimeout');
        try {
          scope.setInterval(() => {}, 60_000);
          scope.setTimeout(() => {}, 60_000);
        } finally {
          created.push(...[...intervals.mock.results, ...timeouts.mock.results].map((r) => r.value));
          intervals.mockRestore();
          timeouts.mockRestore();
        }
        scope.onStop(() => void stops.push('stopped'));
      },
    });
    t = await startTestBot({ database, modules: new Map([...FEATURE_MODULES, ['ticker', ticker]]) });
    expect(created).toHaveLength(2);
    expect(t.bot.registry.activeTimers('ticker')).toBe(2);
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    try {
      expect((await answer(admin('reload', { module: 'ticker' }))).content).toBe(
        'Reloaded the ticker module.',
      );
      expect(stops).toEqual(['stopped']);
      expect(created).toHaveLength(4);
      expect(cleared.mock.calls.map(([timer]) => timer)).toEqual(expect.arrayContaining(created.slice(0, 2)));
      expect(t.bot.registry.activeTimers('ticker')).toBe(2);

      await t.bot.registry.unload('ticker');
      expect(stops).toEqual(['stopped', 'stopped']);
      expect(cleared.mock.calls.map(([timer]) => timer)).toEqual(expect.arrayContaining(created));
      expect(t.bot.registry.activeTimers('ticker')).toBe(0);
    } finally {
      cleared.mockRestore();
    }
  });
});
