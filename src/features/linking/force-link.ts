import { announceGiftSkip, giftSkipNote } from './gift-skip-note.js';
import { UserFacingError } from '../../domain/errors.js';
import { normalizeTikTokHandle } from '../../domain/link-codes.js';
import { sendDirectMessage } from '../../discord/direct-messages.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { findAccountByHandle, linkTikTokAccount } from '../../storage/tiktok-accounts-repo.js';
import { suggestHandles } from './handle-autocomplete.js';

/**
 * `/admin force-link user handle`: links without a chat code, for members who can't type in the live
 * chat. An admin's word overrides an existing link; the audit entry names who held it before. The
 * member is told by DM, as they did not ask for this link themselves.
 */
export const forceLinkSubcommand: AdminSubcommand = {
  name: 'force-link',
  description: 'Link a TikTok account to a member without a chat code',
  options: (b) =>
    b
      .addUserOption((o) => o.setName('user').setDescription('The Discord member').setRequired(true))
      .addStringOption((o) =>
        o
          .setName('handle')
          .setDescription('A TikTok account seen in a live here')
          .setRequired(true)
          .setMaxLength(32)
          .setAutocomplete(true),
      ),
  autocomplete: suggestHandles,
  async execute(interaction, ctx) {
    const target = interaction.options.getUser('user', true);
    const handle = normalizeTikTokHandle(interaction.options.getString('handle', true));
    const account = await findAccountByHandle(ctx.database.db, interaction.guildId, handle);
    if (!account) {
      throw new UserFacingError(
        'unknown_account',
        `@${userText(handle, 40)} hasn't been seen in a live here yet, so there is no account to link. Try again after it joins a live.`,
      );
    }
    const { previousOwnerId, replacedHandle, giftSkip } = await linkTikTokAccount(ctx.database.db, {
      guildId: interaction.guildId,
      discordUserId: target.id,
      tiktokUserId: account.tiktokUserId,
      actorId: interaction.user.id,
      forced: true,
    });
    const notes = [
      previousOwnerId ? ` It was linked to <@${previousOwnerId}> before.` : '',
      replacedHandle ? ` Their previous link to @${userText(replacedHandle, 40)} was removed.` : '',
      announceGiftSkip(ctx, interaction.guildId, giftSkip),
    ].join('');
    const shown = `@${userText(account.handle, 40)}`;
    await replyPrivately(interaction, `Linked ${shown} to <@${target.id}>.${notes}`);
    // Already theirs: nothing changed for the member.
    if (account.discordUserId === target.id) return;
    await sendDirectMessage(
      ctx,
      target.id,
      `An admin linked the TikTok account ${shown} to you: its points and Luxury Coins now count in this server.${giftSkipNote(giftSkip)}`,
    );
  },
};
