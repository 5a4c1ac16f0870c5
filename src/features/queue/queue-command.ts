import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type { ComponentHandler, SlashCommand } from '../../discord/module.js';
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
    const view = await renderQueuePage(ctx.database.db, interaction.guildId, page);
    await interaction.reply({ ...view, flags: MessageFlags.Ephemeral });
  },
};

/** Previous / Next under a queue page: redraws the same message with the requested page. */
export const queuePageButtons: ComponentHandler = {
  prefix: QUEUE_PAGE_PREFIX,
  access: 'everyone',
  async handle(interaction, args, ctx) {
    const page = Number(args[0]);
    if (!interaction.isButton() || !Number.isSafeInteger(page)) {
      throw new UserFacingError('not_found', 'This button no longer works; use /queue instead.');
    }
    await interaction.update(
      await renderQueuePage(ctx.database.db, interaction.guildId, page, { clamp: true }),
    );
  },
};
