import { ChannelType, MessageFlags } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import {
  deactivateEmbed,
  EMBED_KINDS,
  getEmbedConfig,
  isEmbedKind,
} from '../../storage/embed-configs-repo.js';
import { postEmbed } from './embed-posting.js';
import { isForbidden, isGone, KIND_NAMES } from './embed-refresh.js';

const GROUP = { name: 'embed', description: 'Self-updating queue messages' };

const KIND_CHOICES: Record<(typeof EMBED_KINDS)[number], string> = {
  live_queue: 'Live queue (public, with pages)',
  reviewer_queue: 'Reviewer queue (all serving tiers, with ids)',
  pending_skips: 'Pending skips (with Confirm and Reject buttons)',
};

/** `/admin embed create kind channel`: posts the message, then keeps it up to date. */
export const createEmbedSubcommand: AdminSubcommand = {
  group: GROUP,
  name: 'create',
  description: 'Post a queue message that updates itself',
  options: (b) =>
    b
      .addStringOption((o) =>
        o
          .setName('kind')
          .setDescription('What the message shows')
          .setRequired(true)
          .addChoices(...EMBED_KINDS.map((value) => ({ name: KIND_CHOICES[value], value }))),
      )
      .addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription('Where to post it')
          .setRequired(true)
          .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
      ),
  async execute(interaction, ctx) {
    const kind = interaction.options.getString('kind', true);
    if (!isEmbedKind(kind)) throw new UserFacingError('not_found', `There is no embed kind ${kind}.`);
    const channel = interaction.guild.channels.cache.get(interaction.options.getChannel('channel', true).id);
    if (!channel?.isSendable())
      throw new UserFacingError('not_found', 'Pick a text channel I can see for the embed.');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const config = await postEmbed(ctx, channel, kind);
    await replyPrivately(
      interaction,
      `Posted the ${KIND_NAMES[kind]} embed #${config.id} in <#${channel.id}>; it updates itself. ` +
        `Remove it with \`/admin embed remove id:${config.id}\`.`,
    );
  },
};

/** `/admin embed remove id`: deletes the message when it still exists and stops updating it. */
export const removeEmbedSubcommand: AdminSubcommand = {
  group: GROUP,
  name: 'remove',
  description: 'Delete a self-updating queue message',
  options: (b) =>
    b.addIntegerOption((o) =>
      o
        .setName('id')
        .setDescription('The embed number given when it was created')
        .setRequired(true)
        .setMinValue(1),
    ),
  async execute(interaction, ctx) {
    const id = interaction.options.getInteger('id', true);
    const config = await getEmbedConfig(ctx.database.db, interaction.guildId, id);
    if (!config?.active)
      throw new UserFacingError('not_found', `There is no active embed #${id} in this server.`);
    let note = '';
    if (config.messageId) {
      try {
        const channel = await ctx.client.channels.fetch(config.channelId);
        if (channel?.isTextBased()) await channel.messages.delete(config.messageId);
      } catch (error) {
        if (isForbidden(error)) note = ' I may not delete its message; delete it by hand.';
        else if (!isGone(error)) throw error;
      }
    }
    await deactivateEmbed(ctx.database.db, id);
    await replyPrivately(interaction, `Removed embed #${id}; it no longer updates.${note}`);
  },
};
