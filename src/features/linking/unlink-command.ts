import { SlashCommandBuilder } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { cancelLinkRequests } from '../../storage/link-requests-repo.js';
import { unlinkTikTokAccount } from '../../storage/tiktok-accounts-repo.js';

/** `/unlink`: removes the member's TikTok link; codes they were given stop working too. */
export const unlinkCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('unlink')
    .setDescription('Unlink your TikTok account from your Discord profile')
    .toJSON(),

  async execute(interaction, ctx) {
    const { guildId } = interaction;
    const userId = interaction.user.id;
    await cancelLinkRequests(ctx.database.db, guildId, userId);
    const account = await unlinkTikTokAccount(ctx.database.db, {
      guildId,
      discordUserId: userId,
      actorId: userId,
    });
    if (!account) {
      throw new UserFacingError(
        'not_found',
        'You have no TikTok account linked. Link one with /link tiktok.',
      );
    }
    await replyPrivately(
      interaction,
      `Unlinked @${userText(account.handle, 40)}. Its Luxury Coins and points stay with that TikTok account; link it again any time.`,
    );
  },
};
