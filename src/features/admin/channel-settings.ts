import { ChannelType, PermissionFlagsBits, type Guild, type Role, type TextChannel } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import { recordAudit } from '../../storage/audit-repo.js';
import type { Db } from '../../storage/connect.js';
import {
  inGuildConfigTransaction,
  setGuildField,
  type GuildChannelField,
} from '../../storage/guild-config-repo.js';

export type ChannelSetting = Extract<
  GuildChannelField,
  'submissionChannelId' | 'reviewerChannelId' | 'summaryChannelId'
>;

/** What each channel setting is called and what it is for, in the words admins see. */
export const CHANNEL_SETTINGS: Record<ChannelSetting, { label: string; use: string }> = {
  submissionChannelId: { label: 'submission channel', use: 'where songs are sent' },
  reviewerChannelId: { label: 'reviewer channel', use: 'where reviewers work' },
  summaryChannelId: { label: 'summary channel', use: 'where live summaries go' },
};

/** The bot posts embeds in these channels and reads its own messages back (portal, queue embeds). */
const NEEDED_IN_CHANNEL = {
  'View Channel': PermissionFlagsBits.ViewChannel,
  'Send Messages': PermissionFlagsBits.SendMessages,
  'Embed Links': PermissionFlagsBits.EmbedLinks,
  'Read Message History': PermissionFlagsBits.ReadMessageHistory,
};

/**
 * The channel as a setting may hold it: a plain text channel of this server the bot can post in.
 * The bot's own cache is the truth; what an interaction claims about a channel can be crafted.
 */
export function settingChannel(guild: Guild, field: ChannelSetting, channelId: string): TextChannel {
  const { label } = CHANNEL_SETTINGS[field];
  const channel = guild.channels.cache.get(channelId);
  if (channel?.type !== ChannelType.GuildText) {
    throw new UserFacingError('forbidden', `The ${label} must be a text channel; pick one from the list.`);
  }
  const me = guild.members.me;
  const granted = me ? channel.permissionsFor(me) : null;
  const missing = Object.entries(NEEDED_IN_CHANNEL)
    .filter(([, bit]) => !granted?.has(bit))
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new UserFacingError(
      'forbidden',
      `I can't use <#${channel.id}> as the ${label}: give me ${missing.join(', ')} there, or pick another channel.`,
    );
  }
  return channel;
}

/** Checks the channel, then stores it with its audit entry; a refused channel changes nothing. */
export async function setChannelSetting(
  db: Db,
  guild: Guild,
  actorId: string,
  field: ChannelSetting,
  channelId: string,
): Promise<TextChannel> {
  const channel = settingChannel(guild, field, channelId);
  await saveField(db, guild.id, actorId, field, channel.id);
  return channel;
}

/** The reviewer role must be one members can be given: not @everyone, not a bot's own role. */
export async function setReviewerRole(db: Db, guild: Guild, actorId: string, roleId: string): Promise<Role> {
  if (roleId === guild.id) {
    throw new UserFacingError('forbidden', 'Pick a dedicated reviewer role, not @everyone.');
  }
  const role = guild.roles.cache.get(roleId);
  if (!role)
    throw new UserFacingError('not_found', 'That role is not in this server; pick one from the list.');
  if (role.managed) {
    throw new UserFacingError(
      'forbidden',
      `<@&${role.id}> belongs to a bot or an integration, so no member can be given it; pick another role.`,
    );
  }
  await saveField(db, guild.id, actorId, 'reviewerRoleId', role.id);
  return role;
}

/** A channel or role setting and its audit entry, together. */
async function saveField(
  db: Db,
  guildId: string,
  actorId: string,
  field: GuildChannelField,
  value: string,
): Promise<void> {
  await inGuildConfigTransaction(db, guildId, async (tx) => {
    await setGuildField(tx, guildId, field, value);
    await recordAudit(tx, { guildId, actorId, action: 'config_set', details: { key: field, to: value } });
  });
}

function channelSubcommand(name: string, field: ChannelSetting): AdminSubcommand {
  const { label, use } = CHANNEL_SETTINGS[field];
  return {
    name,
    description: `Set the ${label} (${use})`,
    options: (b) =>
      b.addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription(`The ${label}`)
          .setRequired(true)
          .addChannelTypes(ChannelType.GuildText),
      ),
    async execute(interaction, ctx) {
      const { id } = interaction.options.getChannel('channel', true);
      const channel = await setChannelSetting(
        ctx.database.db,
        interaction.guild,
        interaction.user.id,
        field,
        id,
      );
      await replyPrivately(interaction, `The ${label} is now <#${channel.id}>.`);
    },
  };
}

const reviewerRoleSubcommand: AdminSubcommand = {
  name: 'set-reviewer-role',
  description: 'Set the role whose members may review and run the queue',
  options: (b) =>
    b.addRoleOption((o) => o.setName('role').setDescription('The reviewer role').setRequired(true)),
  async execute(interaction, ctx) {
    const { id } = interaction.options.getRole('role', true);
    const role = await setReviewerRole(ctx.database.db, interaction.guild, interaction.user.id, id);
    await replyPrivately(interaction, `Reviewers are now the members with <@&${role.id}>.`);
  },
};

export const channelSettingSubcommands: AdminSubcommand[] = [
  channelSubcommand('set-submission-channel', 'submissionChannelId'),
  channelSubcommand('set-reviewer-channel', 'reviewerChannelId'),
  channelSubcommand('set-summary-channel', 'summaryChannelId'),
  reviewerRoleSubcommand,
];
