import { EmbedBuilder, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Access, CommandGuideEntry, SlashCommand } from '../../discord/module.js';
import { hasAccess } from '../../discord/preconditions.js';
import { replyPrivately } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';

/** Sections of /help, each shown to the members who pass its access check. */
const SECTIONS: { access: Access; title: string }[] = [
  { access: 'everyone', title: 'For everyone' },
  { access: 'reviewer', title: 'For reviewers' },
  { access: 'admin', title: 'For admins (Manage Server)' },
];

const ROLE_NAMES: Record<Access, string> = {
  everyone: 'a viewer',
  reviewer: 'a reviewer',
  admin: 'an admin',
};

/** The section lines: each command as Discord registered it, with its own description. */
export function helpEmbeds(entries: readonly CommandGuideEntry[], mayUse: (access: Access) => boolean) {
  return SECTIONS.filter((section) => mayUse(section.access)).map((section) =>
    new EmbedBuilder().setTitle(section.title).setDescription(
      entries
        .filter((entry) => entry.access === section.access)
        .map((entry) => `\`${entry.usage}\`: ${entry.description}`)
        .join('\n'),
    ),
  );
}

/**
 * `/help`: what the member may do here, by the same checks the registry applies when they try, and
 * from the registered commands themselves, so the list cannot drift from what the bot offers.
 */
export const helpCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('What you can do with this bot here')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  async execute(interaction, ctx) {
    const { reviewerRoleId } = await getGuildConfig(ctx.database.db, interaction.guildId);
    const mayUse = (access: Access) => hasAccess(access, interaction.member, reviewerRoleId);
    const role = (['admin', 'reviewer', 'everyone'] as const).find(mayUse) ?? 'everyone';
    const more = role === 'admin' ? '' : ' Reviewers and admins have more commands.';
    await replyPrivately(
      interaction,
      `Here is what you can do here as ${ROLE_NAMES[role]}. Type \`/\` and the command's name to use it.${more}`,
      { embeds: helpEmbeds(ctx.commandGuide(), mayUse) },
    );
  },
};
