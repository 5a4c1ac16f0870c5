import { SlashCommandBuilder } from 'discord.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { buySkip } from '../../storage/balances-repo.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { luxuryCoins } from './amounts.js';

/** `/buy-skip`: spends Luxury Coins to move the member's waiting song into the guild's skip tier. */
export const buySkipCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('buy-skip')
    .setDescription('Spend Luxury Coins to move your waiting song up the queue')
    .toJSON(),

  async execute(interaction, ctx) {
    const { settings } = await getGuildConfig(ctx.database.db, interaction.guildId);
    const { submission, remainingCoins, price } = await buySkip(
      ctx.database.db,
      interaction.guildId,
      interaction.user.id,
      settings,
    );
    await replyPrivately(
      interaction,
      `Bought a ${TIER_LABELS[settings.buySkip.tier]} for ${luxuryCoins(price)}: ` +
        `**${userText(submission.artist)} – ${userText(submission.title)}** moved up. ` +
        `You have ${luxuryCoins(remainingCoins)} left.`,
    );
  },
};
