import { announceGiftSkip } from './gift-skip-note.js';
import { SlashCommandBuilder } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { normalizeTikTokHandle } from '../../domain/link-codes.js';
import type { GuildCommandInteraction, SlashCommand, BotContext } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { createLinkRequest } from '../../storage/link-requests-repo.js';
import { findAccountByHandle, linkTikTokAccount } from '../../storage/tiktok-accounts-repo.js';
import { suggestHandles } from './handle-autocomplete.js';

/**
 * With ALLOW_ANY_HANDLE_LINKING, a handle never seen yet is linked when that account first writes in
 * a live chat. Lives are not daily, so that wait is a week rather than the code's few minutes.
 */
const ON_SIGHT_DAYS = 7;

/**
 * `/link tiktok handle`: links the member's TikTok account so its Luxury Coins and points count here. The
 * member proves the account is theirs by typing a code in the live chat, unless the bot runs with
 * ALLOW_ANY_HANDLE_LINKING (trusted communities), where claiming the handle is enough.
 */
export const linkCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('link')
    .setDescription('Link an account to your Discord profile')
    .addSubcommand((s) =>
      s
        .setName('tiktok')
        .setDescription('Link your TikTok account so your gifts and likes in the live count here')
        .addStringOption((o) =>
          o
            .setName('handle')
            .setDescription('Your TikTok username, like @name')
            .setRequired(true)
            .setMaxLength(32)
            .setAutocomplete(true),
        ),
    )
    .toJSON(),

  autocomplete: suggestHandles,

  async execute(interaction, ctx) {
    const handle = normalizeTikTokHandle(interaction.options.getString('handle', true));
    const account = await findAccountByHandle(ctx.database.db, interaction.guildId, handle);
    const shown = `@${userText(account?.handle ?? handle, 40)}`;
    if (account?.discordUserId === interaction.user.id) {
      await replyPrivately(interaction, `${shown} is already linked to you.`);
      return;
    }
    if (account?.discordUserId) {
      throw new UserFacingError(
        'already_linked',
        `${shown} is already linked to another member. If it is yours, ask an admin to link it.`,
      );
    }
    if (ctx.config.allowAnyHandleLinking) {
      await linkWithoutCode(interaction, ctx, account?.tiktokUserId ?? null, handle, shown);
      return;
    }
    if (!account) {
      throw new UserFacingError(
        'unknown_account',
        `${shown} hasn't been seen in a live here yet. Join the next live, say hi in the chat, then use /link tiktok again.`,
      );
    }
    const { settings } = await getGuildConfig(ctx.database.db, interaction.guildId);
    const { code } = await createLinkRequest(ctx.database.db, {
      guildId: interaction.guildId,
      discordUserId: interaction.user.id,
      handle: account.handle,
      ttlMinutes: settings.linkCodeTtlMinutes,
      now: new Date(),
    });
    await replyPrivately(
      interaction,
      `To prove ${shown} is yours, type **${code}** in the live chat from that account within ` +
        `${settings.linkCodeTtlMinutes} minutes. The link is made as soon as the code shows up.`,
    );
  },
};

async function linkWithoutCode(
  interaction: GuildCommandInteraction,
  ctx: BotContext,
  tiktokUserId: string | null,
  handle: string,
  shown: string,
): Promise<void> {
  if (tiktokUserId === null) {
    // Without TikTok's user id there is no account row to link yet: wait for the account to appear.
    await createLinkRequest(ctx.database.db, {
      guildId: interaction.guildId,
      discordUserId: interaction.user.id,
      handle,
      ttlMinutes: ON_SIGHT_DAYS * 24 * 60,
      now: new Date(),
      completesOnSight: true,
    });
    await replyPrivately(
      interaction,
      `${shown} hasn't been seen in a live here yet. The link completes when it writes in a live chat within ${ON_SIGHT_DAYS} days.`,
    );
    return;
  }
  const { replacedHandle, giftSkip } = await linkTikTokAccount(ctx.database.db, {
    guildId: interaction.guildId,
    discordUserId: interaction.user.id,
    tiktokUserId,
    actorId: interaction.user.id,
    forced: false,
  });
  const replaced = replacedHandle ? ` (instead of @${userText(replacedHandle, 40)})` : '';
  const skip = announceGiftSkip(ctx, interaction.guildId, giftSkip);
  await replyPrivately(
    interaction,
    `Linked ${shown}${replaced}. Its Luxury Coins and points now count here.${skip}`,
  );
}
