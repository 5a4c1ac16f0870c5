import { SlashCommandBuilder } from 'discord.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext, ComponentHandler, SlashCommand } from '../../discord/module.js';
import { NO_MENTIONS, replyPrivately, userText } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { undoTake, type ReviewPost } from '../../storage/take-records-repo.js';
import { reviewButtons } from './now-reviewing.js';
import { REVIEW_IDS, submissionIdFrom } from './review-ids.js';

/** Puts a mistakenly taken song back where it was, within the server's undoNextMinutes. */
async function undo(ctx: BotContext, guildId: string, actorId: string, submissionId?: number) {
  const { settings } = await getGuildConfig(ctx.database.db, guildId);
  const undone = await undoTake(ctx.database.db, guildId, {
    submissionId,
    actorId,
    windowMinutes: settings.undoNextMinutes,
  });
  return undone;
}

/** The line added under the "Now reviewing" post. */
const undoneNote = (song: SubmissionRecord, actorId: string) =>
  `*Undone by <@${actorId}>: back in ${TIER_LABELS[song.tier]}, at its place.*`;

export const undoNextCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('undo-next')
    .setDescription(
      'Undo the last /next: the song goes back to its place, its submitter gets their points back',
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const { submission, post, points } = await undo(ctx, interaction.guildId, interaction.user.id);
    if (post) await markPostUndone(ctx, post, submission, interaction.user.id);
    const song = `id ${submission.id} **${userText(submission.artist)} – ${userText(submission.title)}**`;
    const given = points > 0 ? ` Its submitter got their ${points.toLocaleString('en-US')} points back.` : '';
    await replyPrivately(
      interaction,
      `Undid the review of ${song}: it is back in ${TIER_LABELS[submission.tier]}, at its place.${given}`,
    );
  },
};

/** Edits the "Now reviewing" post of an undo from /undo-next; the undo stands if the post is gone. */
async function markPostUndone(ctx: BotContext, post: ReviewPost, song: SubmissionRecord, actorId: string) {
  try {
    const channel = await ctx.client.channels.fetch(post.channelId);
    if (!channel?.isTextBased()) throw new Error(`channel ${post.channelId} is not a text channel`);
    const message = await channel.messages.fetch(post.messageId);
    await message.edit({
      content: `${message.content}\n${undoneNote(song, actorId)}`,
      components: [reviewButtons(song.id, { nextOnly: true })],
      allowedMentions: NO_MENTIONS,
    });
  } catch (error) {
    ctx.logger.warn(
      { err: error, guildId: song.guildId, submission: song.id },
      'could not mark a Now reviewing post undone',
    );
  }
}

/** Undo on a "Now reviewing" post: the post says so, and only Next stays. */
export const undoNextButton: ComponentHandler = {
  prefix: REVIEW_IDS.undo,
  access: 'reviewer',
  async handle(interaction, args, ctx) {
    if (!interaction.isButton()) return;
    const { submission } = await undo(ctx, interaction.guildId, interaction.user.id, submissionIdFrom(args));
    await interaction.update({
      content: `${interaction.message.content}\n${undoneNote(submission, interaction.user.id)}`,
      components: [reviewButtons(submission.id, { nextOnly: true })],
      allowedMentions: NO_MENTIONS,
    });
  },
};
