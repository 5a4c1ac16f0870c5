import { MessageFlags, SlashCommandBuilder, type ButtonInteraction } from 'discord.js';
import type {
  BotContext,
  ComponentHandler,
  GuildCommandInteraction,
  SlashCommand,
} from '../../discord/module.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import { REVIEW_IDS } from './review-ids.js';
import { reviewerOf, takeNextSong } from './reviewer-actions.js';

export const nextCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('next')
    .setDescription('Review the next song: posts it here and marks it played')
    .toJSON(),
  execute: (interaction, ctx) => reviewNextSong(interaction, ctx),
};

/** "Next song" under a Now reviewing post does what /next does, in that channel. */
export const nextButton: ComponentHandler = {
  prefix: REVIEW_IDS.next,
  access: 'reviewer',
  async handle(interaction, _args, ctx) {
    if (interaction.isButton()) await reviewNextSong(interaction, ctx);
  },
};

/**
 * Takes the next song, which is posted publicly in this channel, then answers the reviewer. The post
 * is a channel message, not the interaction reply: a reply that follows a deferral is an edit, and
 * edits never ping.
 */
async function reviewNextSong(
  interaction: GuildCommandInteraction | ButtonInteraction<'cached'>,
  ctx: BotContext,
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const taken = await takeNextSong(
    ctx,
    reviewerOf(interaction),
    interaction.channelId,
    interaction.attachmentSizeLimit ?? undefined,
  );
  if (!taken) {
    await interaction.editReply({
      content:
        'The queue is empty: there is no song to review. Songs in Pending Skips need /confirm-skip first.',
      allowedMentions: NO_MENTIONS,
    });
    return;
  }
  const { song, post } = taken;
  const label = `id ${song.id} **${userText(song.artist)} – ${userText(song.title)}**`;
  // The song is played either way; if the post failed, the reviewer still learns which one and what to fix.
  await interaction.editReply({
    content: post
      ? `Now reviewing ${label}.`
      : `Now reviewing ${label}${song.link ? ` ${song.link}` : ''}, but I couldn't post it in this channel: check that I may send messages and attach files here.`,
    allowedMentions: NO_MENTIONS,
  });
}
