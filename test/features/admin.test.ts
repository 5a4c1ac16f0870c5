import { ChannelType, MessageFlags } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SlashCommandBuilder } from 'discord.js';
import type { BotModule, ModuleFactory } from '../../src/discord/module.js';
import { replyPrivately } from '../../src/discord/replies.js';
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
    expect(description).toContain('**Buying a skip**\nPrice of /buy-skip in Luxury Coins: 1,000');
    expect(description).toContain('Skip that /buy-skip buys: 10 Skip');
    expect(description).toContain('Delete chatter in the submission channel: off');
    expect(description).toContain('Luxury Coins per 100 TikTok coins gifted: 2');
    expect(description).toContain('Points for a like: 1');
    // Settings are named in words, never by their keys.
    expect(description).not.toMatch(/buySkip|giftCoinRate|channelHygiene|`/);
  });

  it('sets a number, audited with the old and new value', async () => {
    const reply = await answer(configSet('buySkip.price', '2,500'));
    expect(reply.content).toBe('Price of /buy-skip in Luxury Coins is now 2,500 (was 1,000).');
    expect((await config()).settings.buySkip.price).toBe(2500);
    expect((await listAudit(database.db, t.guildId))[0]).toMatchObject({
      action: 'config_set',
      details: { key: 'buySkip.price', from: 1000, to: 2500 },
    });
  });

  it.each([
    ['autoGiftSkips', 'off', (s: Settings) => s.autoGiftSkips, false, 'Big gifts move'],
    ['channelHygiene', 'ON', (s: Settings) => s.channelHygiene, true, 'Delete chatter'],
    ['buySkip.tier', '15 Skip', (s: Settings) => s.buySkip.tier, 'skip15', 'Skip that /buy-skip buys'],
    ['giftSkipThresholds.skip5', '1500', (s: Settings) => s.giftSkipThresholds.skip5, 1500, 'TikTok coins'],
    [
      'submissionRules.cooldownSeconds',
      '0',
      (s: Settings) => s.submissionRules.cooldownSeconds,
      0,
      'Seconds',
    ],
  ])('sets %s from "%s"', async (key, value, read, expected, label) => {
    expect((await answer(configSet(key, value))).content).toMatch(new RegExp(`^${label}.* is now`));
    expect(read((await config()).settings)).toBe(expected);
  });

  it('takes a setting named by its label as well as by its key', async () => {
    const reply = await answer(configSet('points for a like', '3'));
    expect(reply.content).toBe('Points for a like is now 3 (was 1).');
    expect((await config()).settings.points.like).toBe(3);
  });

  it('names a rate by its other half as it is now', async () => {
    expect((await answer(configSet('giftCoinRate.per', '50'))).content).toBe(
      'TikTok coins gifted for 2 Luxury Coins is now 50 (was 100).',
    );
    expect((await answer(admin('show', {}, t.users.admin, 'config'))).embeds[0]?.description).toContain(
      'Luxury Coins per 50 TikTok coins gifted: 2',
    );
  });

  it.each([
    [
      'buySkip.price',
      'lots',
      /^Price of \/buy-skip in Luxury Coins must be a whole number, like 10\. Nothing changed\.$/,
    ],
    ['buySkip.price', '0', /^Price of \/buy-skip in Luxury Coins must be at least 1\. Nothing changed\.$/],
    ['points.like', '2000000', /^Points for a like must be at most 1,000,000\. Nothing changed\.$/],
    ['giftSkipThresholds.skip5', '9000', /must rise from 5 Skip to 25\+ Skip, each more than the one before/],
    [
      'channelHygiene',
      'maybe',
      /^Delete chatter in the submission channel takes on or off\. Nothing changed\.$/,
    ],
    ['buySkip.tier', 'free', /^Skip that \/buy-skip buys must be one of 25\+ Skip, 20 Skip/],
    ['no.such.key', '1', /There is no such setting/],
  ])('refuses %s = "%s" with the reason and writes nothing', async (key, value, reason) => {
    const before = (await config()).settings;
    const reply = await answer(configSet(key, value));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect((await config()).settings).toEqual(before);
    expect(await listAudit(database.db, t.guildId)).toEqual([]);
  });

  it('autocompletes settings whose key or label holds what is typed, showing the label and current value', async () => {
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
      { name: 'Price of /buy-skip in Luxury Coins (now 1,000)', value: 'buySkip.price' },
      { name: 'Skip that /buy-skip buys (now 10 Skip)', value: 'buySkip.tier' },
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
      new RegExp(`\\*\\*Took points\\*\\* by <@${t.users.admin.id}> · → <@${t.users.other.id}> · -5$`),
    );
    expect(lines[1]).toContain('**Gave Luxury Coins**');
    expect(lines[1]).toContain('+50 · “@\u200beveryone raffle”');

    const aboutViewer = await answer(admin('audit', { user: t.users.viewer.id }));
    expect(aboutViewer.embeds[0]?.description).not.toContain('Took points');
    expect(aboutViewer.embeds[0]?.description).toContain('Gave Luxury Coins');
  });
  it('shows a channel setting as the channel it names', async () => {
    await answer(admin('set-summary-channel', { channel: t.channels.general }));
    const reply = await answer(admin('audit'));
    expect(reply.embeds[0]?.description).toContain(`Summary channel: <#${t.channels.general}>`);
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

const restartedWithLoadedCode = (name: string) =>
  `Restarted the ${name} module with the code already loaded: the bot runs from its sources rather than from a build, so new code needs a restart of the bot.`;

describe('/admin reload', () => {
  it('from the sources restarts economy with the code already loaded, says so, and /coins keeps answering', async () => {
    t = await startTestBot({ database });
    expect((await answer(admin('reload', { module: 'economy' }))).content).toBe(
      restartedWithLoadedCode('economy'),
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
        restartedWithLoadedCode('ticker'),
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

  it('starts the previous version again when the reloaded one fails to start, and tells the admin', async () => {
    let starts = 0;
    const flaky: ModuleFactory = (): BotModule => ({
      name: 'flaky',
      commands: [
        {
          access: 'everyone',
          data: new SlashCommandBuilder().setName('flaky').setDescription('Answers when running').toJSON(),
          execute: (interaction) => replyPrivately(interaction, `running, start ${starts}`),
        },
      ],
      start(_ctx, scope) {
        starts += 1;
        scope.setInterval(() => {}, 60_000);
        if (starts === 2) throw new Error('the new version is broken');
      },
    });
    t = await startTestBot({ database, modules: new Map([...FEATURE_MODULES, ['flaky', flaky]]) });
    const reply = await answer(admin('reload', { module: 'flaky' }));
    expect(reply).toMatchObject({
      ephemeral: true,
      content:
        "The flaky module was not reloaded: its new version failed to start, so the previous version is running again. The bot's logs say what went wrong.",
    });
    expect(starts).toBe(3);
    expect(t.bot.registry.isLoaded('flaky')).toBe(true);
    expect(t.bot.registry.activeTimers('flaky')).toBe(1);
    const flakyReply = await answer(
      t.discord.slashCommand({ channelId: t.channels.general, user: t.users.viewer, name: 'flaky' }),
    );
    expect(flakyReply.content).toBe('running, start 3');
  });

  it('runs a reload asked while another is starting the module after it, so one version runs', async () => {
    let starts = 0;
    let running = 0;
    let secondStartBegun!: () => void;
    const begun = new Promise<void>((resolve) => (secondStartBegun = resolve));
    const slowStart: ModuleFactory = (): BotModule => ({
      name: 'slow',
      async start(_ctx, scope) {
        starts += 1;
        if (starts === 2) secondStartBegun();
        await new Promise((resolve) => setImmediate(resolve));
        running += 1;
        scope.onStop(() => void (running -= 1));
      },
    });
    t = await startTestBot({ database, modules: new Map([...FEATURE_MODULES, ['slow', slowStart]]) });
    const first = t.bot.registry.reload('slow');
    await begun;
    await Promise.all([first, t.bot.registry.reload('slow')]);
    expect(starts).toBe(3);
    expect(running).toBe(1);
    await t.bot.registry.unload('slow');
    expect(running).toBe(0);
  });
});
