import {
  ChannelType,
  ComponentType,
  InteractionResponseType,
  MessageFlags,
  OverwriteType,
  PermissionFlagsBits,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { listActiveEmbeds } from '../../src/storage/embed-configs-repo.js';
import { getGuildConfig } from '../../src/storage/guild-config-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { customIdsOf } from './support/embed-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database, { unconfigured: true });

const config = () => getGuildConfig(database.db, t.guildId);

/** `/setup` in #general; returns the wizard's ephemeral message. */
async function openSetup(user: APIUser = t.users.admin) {
  const handle = t.discord.slashCommand({ channelId: t.channels.general, user, name: 'setup' });
  const { body } = await handle.reply();
  expect(body.data.allowed_mentions).toEqual({ parse: [] });
  return { body, message: handle.originalMessage() };
}

type Setting = 'submissionChannelId' | 'reviewerChannelId' | 'reviewerRoleId' | 'summaryChannelId';

/** Picks `value` in the wizard's menu for `setting`; returns the form as the update left it. */
async function choose(message: APIMessage, setting: Setting, value: string, user: APIUser = t.users.admin) {
  const handle = t.discord.selectMenu({
    channelId: t.channels.general,
    user,
    customId: `guide:setup:${setting}`,
    message: message.id,
    values: [value],
    componentType: setting === 'reviewerRoleId' ? ComponentType.RoleSelect : ComponentType.ChannelSelect,
  });
  const { body } = await handle.reply();
  expect(body.type).toBe(InteractionResponseType.UpdateMessage);
  expect(body.data.allowed_mentions).toEqual({ parse: [] });
  return String(body.data.content);
}

async function pressFinish(message: APIMessage, user: APIUser = t.users.admin) {
  const handle = t.discord.button({
    channelId: t.channels.general,
    user,
    customId: 'guide:setup:finish',
    message: message.id,
  });
  const first = await handle.reply();
  if (first.body.data.content !== 'Posting the queue messages…') return String(first.body.data.content);
  const { body } = await handle.editReply();
  expect(body.allowed_mentions).toEqual({ parse: [] });
  return String(body.content);
}

async function completeSetup(): Promise<string> {
  const { message } = await openSetup();
  await choose(message!, 'submissionChannelId', t.channels.submissions);
  await choose(message!, 'reviewerChannelId', t.channels.reviewers);
  await choose(message!, 'reviewerRoleId', t.reviewerRoleId);
  await choose(message!, 'summaryChannelId', t.channels.general);
  return pressFinish(message!);
}

/** The default value preselected in each menu of the form, by custom id. */
function defaultsOf(message: APIMessage): Record<string, string[]> {
  return Object.fromEntries(
    (message.components ?? []).flatMap((row) =>
      'components' in row
        ? row.components.flatMap((c) =>
            'default_values' in c ? [[c.custom_id, (c.default_values ?? []).map((v) => v.id)]] : [],
          )
        : [],
    ),
  );
}

const portalsIn = (channelId: string) =>
  t.discord.channelMessages(channelId).filter((m) => customIdsOf(m).includes('submissions:portal-link'));

describe('/setup', () => {
  it('opens one private form with a channel menu, a role menu and a Finish button that waits for all four', async () => {
    const { body, message } = await openSetup();
    expect(body.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(Number(body.data.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const components = (message!.components ?? []).flatMap((row): { type: ComponentType }[] =>
      'components' in row ? row.components : [],
    );
    expect(components.map((c) => c.type)).toEqual([
      ComponentType.ChannelSelect,
      ComponentType.ChannelSelect,
      ComponentType.RoleSelect,
      ComponentType.ChannelSelect,
      ComponentType.Button,
    ]);
    expect(components[0]).toMatchObject({ channel_types: [ChannelType.GuildText] });
    expect(components[4]).toMatchObject({ label: 'Finish', disabled: true });
    expect(String(body.data.content)).toContain('Next: pick the channel where viewers send songs');
  });

  it('takes a fresh server to stream-ready: choices stored, queue messages and portal posted, overlay link given', async () => {
    const report = await completeSetup();

    expect(await config()).toMatchObject({
      submissionChannelId: t.channels.submissions,
      reviewerChannelId: t.channels.reviewers,
      reviewerRoleId: t.reviewerRoleId,
      summaryChannelId: t.channels.general,
    });
    const embeds = await listActiveEmbeds(database.db, t.guildId);
    expect(embeds.map((e) => [e.kind, e.channelId])).toEqual([
      ['live_queue', t.channels.submissions],
      ['reviewer_queue', t.channels.reviewers],
      ['pending_skips', t.channels.reviewers],
    ]);
    // The portal is the newest message in the song requests channel, under the live queue.
    const songRequests = t.discord.channelMessages(t.channels.submissions);
    expect(songRequests.map((m) => m.id)).toEqual([
      embeds[0]!.messageId,
      portalsIn(t.channels.submissions)[0]!.id,
    ]);
    expect(t.discord.channelMessages(t.channels.reviewers).map((m) => m.id)).toEqual([
      embeds[1]!.messageId,
      embeds[2]!.messageId,
    ]);
    for (const call of t.discord.callsTo('POST', /^\/channels\/\d+\/messages$/)) {
      expect(call.body).toMatchObject({ allowed_mentions: { parse: [] } });
    }

    expect(report).toContain('Your server is ready for the stream.');
    expect(report).toContain(`Posted the live queue in <#${t.channels.submissions}>.`);
    expect(report).toContain(`Posted the submit buttons in <#${t.channels.submissions}>.`);
    expect(report).toContain(`Posted the reviewer queue in <#${t.channels.reviewers}>.`);
    expect(report).toMatch(/Stream overlay: <http:\/\/127\.0\.0\.1:\d+\/overlay\/[\w-]+>/);
    expect((await listAudit(database.db, t.guildId)).map((a) => a.details)).toEqual(
      expect.arrayContaining([{ key: 'reviewerRoleId', to: t.reviewerRoleId }]),
    );
  });

  it('shows the choice just made as saved, preselected in its menu', async () => {
    const { message } = await openSetup();
    const content = await choose(message!, 'submissionChannelId', t.channels.submissions);
    expect(content).toContain(`Saved: the song requests channel is now <#${t.channels.submissions}>.`);
    expect(content).toContain(`✅ **1. Song requests channel**: <#${t.channels.submissions}>.`);
    expect(content).toContain('Next: pick the channel where reviewers work');
    expect(defaultsOf(message!)['guide:setup:submissionChannelId']).toEqual([t.channels.submissions]);
  });

  it('run again on a configured server, shows the current choices and posts nothing twice', async () => {
    await completeSetup();
    const before = [t.channels.submissions, t.channels.reviewers, t.channels.general].map(
      (id) => t.discord.channelMessages(id).length,
    );

    const { message } = await openSetup();
    expect(defaultsOf(message!)).toEqual({
      'guide:setup:submissionChannelId': [t.channels.submissions],
      'guide:setup:reviewerChannelId': [t.channels.reviewers],
      'guide:setup:reviewerRoleId': [t.reviewerRoleId],
      'guide:setup:summaryChannelId': [t.channels.general],
    });
    const report = await pressFinish(message!);

    expect(report).toContain(`Kept the live queue in <#${t.channels.submissions}>.`);
    expect(report).toContain(`Kept the submit buttons in <#${t.channels.submissions}>.`);
    expect(report).toContain(`Kept the pending skips in <#${t.channels.reviewers}>.`);
    expect(
      [t.channels.submissions, t.channels.reviewers, t.channels.general].map(
        (id) => t.discord.channelMessages(id).length,
      ),
    ).toEqual(before);
    expect(await listActiveEmbeds(database.db, t.guildId)).toHaveLength(3);
  });

  it('posts a new queue message in place of one deleted by hand', async () => {
    await completeSetup();
    const [live] = await listActiveEmbeds(database.db, t.guildId);
    t.discord.world.deleteMessage(t.channels.submissions, live!.messageId!);

    const { message } = await openSetup();
    expect(await pressFinish(message!)).toContain(`Posted the live queue in <#${t.channels.submissions}>.`);
    const kinds = (await listActiveEmbeds(database.db, t.guildId)).map((e) => e.kind);
    expect(kinds.sort()).toEqual(['live_queue', 'pending_skips', 'reviewer_queue']);
    expect(portalsIn(t.channels.submissions)).toHaveLength(1);
  });

  it('is refused to members without Manage Server, and hidden from them in Discord', async () => {
    const { body } = await openSetup(t.users.reviewer);
    expect(body.data.content).toBe('Only members with the Manage Server permission can do that.');
    expect(body.data.components ?? []).toEqual([]);
    const registered = t.discord.registeredCommands().find((c) => c.name === 'setup');
    expect(registered?.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
  });

  it("refuses a viewer's choice made through an admin's form, and stores nothing", async () => {
    const { message } = await openSetup();
    const handle = t.discord.selectMenu({
      channelId: t.channels.general,
      user: t.users.viewer,
      customId: 'guide:setup:submissionChannelId',
      message: message!.id,
      values: [t.channels.submissions],
      componentType: ComponentType.ChannelSelect,
    });
    expect((await handle.reply()).body.data.content).toBe(
      'Only members with the Manage Server permission can do that.',
    );
    expect((await config()).submissionChannelId).toBeNull();
  });

  it.each([
    ['a voice channel', ChannelType.GuildVoice],
    ['a category', ChannelType.GuildCategory],
  ] as const)('refuses %s, says why, and changes nothing', async (_what, type) => {
    const { message } = await openSetup();
    await choose(message!, 'reviewerChannelId', t.channels.reviewers);
    const audited = (await listAudit(database.db, t.guildId)).length;
    const wrong = t.discord.createChannel(t.guildId, { name: 'Stage', type });

    const content = await choose(message!, 'reviewerChannelId', wrong.id);
    expect(content).toContain(
      '⚠️ Not changed: The reviewer channel must be a text channel; pick one from the list.',
    );
    expect((await config()).reviewerChannelId).toBe(t.channels.reviewers);
    expect(await listAudit(database.db, t.guildId)).toHaveLength(audited);
  });

  it('refuses a text channel the bot may not post in, naming the missing permission', async () => {
    const locked = t.discord.createChannel(t.guildId, {
      name: 'locked',
      type: ChannelType.GuildText,
      permissionOverwrites: [
        {
          id: t.discord.bot.id,
          type: OverwriteType.Member,
          allow: '0',
          deny: String(PermissionFlagsBits.SendMessages),
        },
      ],
    });
    const { message } = await openSetup();
    const content = await choose(message!, 'summaryChannelId', locked.id);
    expect(content).toContain(
      `⚠️ Not changed: I can't use <#${locked.id}> as the summary channel: give me Send Messages there`,
    );
    expect((await config()).summaryChannelId).toBeNull();
  });

  it('refuses @everyone and a role that belongs to a bot as the reviewer role', async () => {
    const { message } = await openSetup();
    const botRole = [...t.discord.world.guild(t.guildId).roles.values()].find((r) => r.managed)!;
    expect(await choose(message!, 'reviewerRoleId', t.guildId)).toContain(
      '⚠️ Not changed: Pick a dedicated reviewer role, not @everyone.',
    );
    expect(await choose(message!, 'reviewerRoleId', botRole.id)).toContain(
      'belongs to a bot or an integration',
    );
    expect((await config()).reviewerRoleId).toBeNull();
  });

  it('does not finish before all four choices are made, and posts nothing', async () => {
    const { message } = await openSetup();
    await choose(message!, 'submissionChannelId', t.channels.submissions);
    const content = await pressFinish(message!);
    expect(content).toContain(
      '⚠️ Not finished: Pick the reviewer channel, reviewer role, live summary channel first.',
    );
    expect(t.discord.channelMessages(t.channels.submissions)).toEqual([]);
    expect(await listActiveEmbeds(database.db, t.guildId)).toEqual([]);
  });
});
