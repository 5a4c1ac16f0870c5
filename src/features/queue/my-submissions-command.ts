import { SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import { mySubmissionsView } from './my-submissions-view.js';

export const mySubmissionsCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('my-submissions')
    .setDescription('Your songs in the queue (to withdraw) and your last played ones (to submit again)')
    .toJSON(),

  async execute(interaction, ctx) {
    const view = await mySubmissionsView(ctx, interaction.guildId, interaction.user.id);
    if (!view) {
      await replyPrivately(interaction, "You haven't submitted a song yet. Submit one with /submit.");
      return;
    }
    await replyPrivately(interaction, view.content, { components: view.components });
  },
};
