import { ChannelType } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import { recordAudit } from '../../storage/audit-repo.js';
import type { Db } from '../../storage/connect.js';
import { setGuildField, type GuildChannelField } from '../../storage/guild-config-repo.js';

/** The bot posts and reads messages in these channels, so each must be a plain text channel. */
function channelSubcommand(
  name: string,
  field: GuildChannelField,
  label: string,
  use: string,
): AdminSubcommand {
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
      const channel = interaction.options.getChannel('channel', true);
      // The option's type filter is the client's; a crafted request can name any channel.
      if (channel.type !== ChannelType.GuildText) {
        throw new UserFacingError(
          'forbidden',
          `The ${label} must be a text channel; pick one from the list.`,
        );
      }
      await saveField(ctx.database.db, interaction.guildId, interaction.user.id, field, channel.id);
      await replyPrivately(interaction, `The ${label} is now <#${channel.id}>.`);
    },
  };
}

/** A channel or role setting and its audit entry, together. */
async function saveField(
  db: Db,
  guildId: string,
  actorId: string,
  field: GuildChannelField,
  value: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await setGuildField(tx, guildId, field, value);
    await recordAudit(tx, { guildId, actorId, action: 'config_set', details: { key: field, to: value } });
  });
}

const reviewerRoleSubcommand: AdminSubcommand = {
  name: 'set-reviewer-role',
  description: 'Set the role whose members may review and run the queue',
  options: (b) =>
    b.addRoleOption((o) => o.setName('role').setDescription('The reviewer role').setRequired(true)),
  async execute(interaction, ctx) {
    const role = interaction.options.getRole('role', true);
    if (role.id === interaction.guildId) {
      throw new UserFacingError('forbidden', 'Pick a dedicated reviewer role, not @everyone.');
    }
    await saveField(ctx.database.db, interaction.guildId, interaction.user.id, 'reviewerRoleId', role.id);
    await replyPrivately(interaction, `Reviewers are now the members with <@&${role.id}>.`);
  },
};

export const channelSettingSubcommands: AdminSubcommand[] = [
  channelSubcommand(
    'set-submission-channel',
    'submissionChannelId',
    'submission channel',
    'where songs are sent',
  ),
  channelSubcommand('set-reviewer-channel', 'reviewerChannelId', 'reviewer channel', 'where reviewers work'),
  channelSubcommand('set-summary-channel', 'summaryChannelId', 'summary channel', 'where live summaries go'),
  reviewerRoleSubcommand,
];
