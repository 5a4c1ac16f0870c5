import { EmbedBuilder, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import { leaderboard } from '../../storage/balances-repo.js';
import { engagementPoints, luxuryCoins } from './amounts.js';

const SIZE = 10;

/** `/leaderboard [by]`: top members by engagement points or Luxury Coins, in the channel. */
export const leaderboardCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('leaderboard')
    .setDescription('Top members by engagement points or Luxury Coins')
    .addStringOption((o) =>
      o
        .setName('by')
        .setDescription('Rank by (default: points)')
        .addChoices({ name: 'engagement points', value: 'points' }, { name: 'Luxury Coins', value: 'coins' }),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const by = interaction.options.getString('by') === 'coins' ? 'coins' : 'points';
    const rows = (await leaderboard(ctx.database.db, interaction.guildId, by, SIZE)).filter((r) => r[by] > 0);
    const lines = rows.map(
      (r, i) =>
        `**${i + 1}.** <@${r.discordUserId}> · ${by === 'points' ? engagementPoints(r.points) : luxuryCoins(r.coins)}`,
    );
    const embed = new EmbedBuilder()
      .setTitle(by === 'points' ? 'Top engagement points' : 'Top Luxury Coins')
      .setDescription(lines.length > 0 ? lines.join('\n') : 'Nobody is on the board yet.');
    // Mentions inside an embed never ping; allowedMentions keeps it that way if content is added.
    await interaction.reply({ embeds: [embed], allowedMentions: NO_MENTIONS });
  },
};
