import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { pageButtonHandler } from '../../discord/page-buttons.js';
import { publicPageLink } from '../overlay/page-links.js';
import { QUEUE_PAGE_PREFIX, renderQueuePage } from './queue-view.js';

export const queueCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('queue')
    .setDescription('Show the review queue, tier by tier')
    .addIntegerOption((o) => o.setName('page').setDescription('Page number (10 songs a page)').setMinValue(1))
    .toJSON(),

  async execute(interaction, ctx) {
    const page = interaction.options.getInteger('page') ?? 1;
    const [view, link] = await Promise.all([
      renderQueuePage(ctx.database.db, interaction.guildId, page),
      publicPageLink(ctx, interaction.guildId),
    ]);
    // In the content, not the embed: the page buttons redraw the embed and leave the content be.
    const content = link ? `Follow the queue live: <${link}>` : undefined;
    await interaction.reply({ ...view, ...(content ? { content } : {}), flags: MessageFlags.Ephemeral });
  },
};

/** Previous / Next under a queue page: redraws the same message with the requested page. */
export const queuePageButtons = pageButtonHandler({
  prefix: QUEUE_PAGE_PREFIX,
  access: 'everyone',
  command: '/queue',
  render: renderQueuePage,
});
