import { SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { getBalances } from '../../storage/balances-repo.js';
import { engagementPoints, luxuryCoins } from './amounts.js';

/** `/coins [user]`: Luxury Coins and engagement points, Discord and linked TikTok added up. */
export const coinsCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('coins')
    .setDescription('Your Luxury Coins and engagement points (or another member’s)')
    .addUserOption((o) => o.setName('user').setDescription('Whose balance to show (default: yours)'))
    .toJSON(),

  async execute(interaction, ctx) {
    const target = interaction.options.getUser('user') ?? interaction.user;
    const self = target.id === interaction.user.id;
    const b = await getBalances(ctx.database.db, interaction.guildId, target.id);
    const lines = [
      `${self ? 'You have' : `<@${target.id}> has`} **${luxuryCoins(b.totalCoins)}** and **${engagementPoints(b.totalPoints)}**.`,
      `Discord: ${luxuryCoins(b.discordCoins)}, ${engagementPoints(b.discordPoints)}`,
    ];
    if (b.tiktok) {
      lines.push(
        `TikTok @${userText(b.tiktok.handle, 40)}: ${luxuryCoins(b.tiktok.coins)}, ${engagementPoints(b.tiktok.points)}`,
      );
    } else if (self) {
      lines.push('Link your TikTok with `/link tiktok` so your gifts and likes in the live count here too.');
    }
    await replyPrivately(interaction, lines.join('\n'));
  },
};
