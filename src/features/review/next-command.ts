import { MessageFlags, SlashCommandBuilder, type ButtonInteraction, type Message } from 'discord.js';
import type {
  BotContext,
  ComponentHandler,
  GuildCommandInteraction,
  SlashCommand,
} from '../../discord/module.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import { getPreferences, takeNextForReview } from '../../storage/review-repo.js';
import { recordReviewPost } from '../../storage/take-records-repo.js';
import { uploadsDirOf } from '../submissions/submit-flow.js';
import { tellNextInLine } from './next-in-line-notice.js';
import { nowReviewingMessage } from './now-reviewing.js';
import { REVIEW_IDS } from './review-ids.js';

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
 * Takes the head of the queue (atomically: two reviewers pressing at once get different songs), posts
 * it publicly in the channel, tells whoever is now first in line, then answers the reviewer. The post
 * is a channel message, not the interaction reply: a reply that follows a deferral is an edit, and
 * edits never ping.
 */
async function reviewNextSong(
  interaction: GuildCommandInteraction | ButtonInteraction<'cached'>,
  ctx: BotContext,
): Promise<void> {
  const { guildId } = interaction;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const song = await takeNextForReview(ctx.database.db, guildId, interaction.user.id);
  if (!song) {
    await interaction.editReply({
      content:
        'The queue is empty: there is no song to review. Songs in Pending Skips need /confirm-skip first.',
      allowedMentions: NO_MENTIONS,
    });
    return;
  }
  const preferences = await getPreferences(ctx.database.db, guildId, song.submitterId);
  const post = await nowReviewingMessage(
    song,
    preferences,
    uploadsDirOf(ctx),
    interaction.attachmentSizeLimit ?? undefined,
  );
  const label = `id ${song.id} **${userText(song.artist)} – ${userText(song.title)}**`;
  let sent: Message | null = null;
  try {
    const channel = interaction.channel ?? (await interaction.guild.channels.fetch(interaction.channelId));
    if (!channel?.isSendable()) throw new Error(`channel ${interaction.channelId} is not sendable`);
    sent = await channel.send(post);
  } catch (error) {
    ctx.logger.warn({ err: error, guildId, submission: song.id }, 'could not post Now reviewing');
  }
  const posted = sent !== null;
  if (sent) await noteReviewPost(ctx, guildId, song.id, sent);
  await tellNextInLine(ctx, guildId);
  // The song is played either way; if the post failed, the reviewer still learns which one and what to fix.
  await interaction.editReply({
    content: posted
      ? `Now reviewing ${label}.`
      : `Now reviewing ${label}${song.link ? ` ${song.link}` : ''}, but I couldn't post it in this channel: check that I may send messages and attach files here.`,
    allowedMentions: NO_MENTIONS,
  });
}

/** Remembers the post so /undo-next can mark it undone; without it the Undo button still does. */
async function noteReviewPost(
  ctx: BotContext,
  guildId: string,
  songId: number,
  post: Message,
): Promise<void> {
  try {
    await recordReviewPost(ctx.database.db, guildId, songId, {
      channelId: post.channelId,
      messageId: post.id,
    });
  } catch (error) {
    ctx.logger.warn({ err: error, guildId, submission: songId }, 'could not note the Now reviewing post');
  }
}
