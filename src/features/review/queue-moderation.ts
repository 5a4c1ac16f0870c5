import { SlashCommandBuilder, type SlashCommandIntegerOption } from 'discord.js';
import { isTier, OPEN_TIERS, TIER_LABELS } from '../../domain/tiers.js';
import { UserFacingError } from '../../domain/errors.js';
import type { ComponentHandler, SlashCommand } from '../../discord/module.js';
import { NO_MENTIONS, replyPrivately, userText } from '../../discord/replies.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { reviewButtons } from './now-reviewing.js';
import { REVIEW_IDS, submissionIdFrom } from './review-ids.js';
import { moveSong, removeSong, removeSongUnderReview, restoreSong, reviewerOf } from './reviewer-actions.js';

const song = (s: SubmissionRecord) => `id ${s.id} **${userText(s.artist)} – ${userText(s.title)}**`;

const idOption = (description: string) => (o: SlashCommandIntegerOption) =>
  o.setName('id').setDescription(description).setRequired(true).setMinValue(1);

export const removeCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('remove')
    .setDescription('Remove a song from the queue (a paid skip leaves its submitter a credit)')
    .addIntegerOption(idOption('The song id, as /queue shows it'))
    .addStringOption((o) =>
      o.setName('reason').setDescription('Why (kept in the audit log)').setMaxLength(300),
    )
    .addBooleanOption((o) =>
      o
        .setName('without_credit')
        .setDescription('No skip credit back, e.g. for a rule breach (needs a reason)'),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const { submission, creditTier } = await removeSong(
      ctx,
      reviewerOf(interaction),
      interaction.options.getInteger('id', true),
      {
        withoutCredit: interaction.options.getBoolean('without_credit') ?? false,
        reason: interaction.options.getString('reason') ?? undefined,
      },
    );
    const credit = creditTier
      ? ` <@${submission.submitterId}> keeps a ${TIER_LABELS[creditTier]} credit for their next song.`
      : '';
    await replyPrivately(interaction, `Removed ${song(submission)}.${credit}`);
  },
};

export const restoreCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('restore')
    .setDescription('Put a played or removed song back in the queue, in Free')
    .addIntegerOption(idOption('The song id'))
    .toJSON(),

  async execute(interaction, ctx) {
    const id = interaction.options.getInteger('id', true);
    const restored = await restoreSong(ctx, reviewerOf(interaction), id);
    await replyPrivately(interaction, `Put ${song(restored)} back in ${TIER_LABELS.free}.`);
  },
};

export const moveCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('move')
    .setDescription('Move a waiting song to another tier')
    .addIntegerOption(idOption('The song id, as /queue shows it'))
    .addStringOption((o) =>
      o
        .setName('tier')
        .setDescription('The tier to move it to')
        .setRequired(true)
        .addChoices(...OPEN_TIERS.map((t) => ({ name: TIER_LABELS[t], value: t }))),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const tier = interaction.options.getString('tier', true);
    if (!isTier(tier)) {
      throw new UserFacingError('illegal_move', 'Pick one of the tiers offered in the tier option.');
    }
    const id = interaction.options.getInteger('id', true);
    const moved = await moveSong(ctx, reviewerOf(interaction), id, tier);
    await replyPrivately(interaction, `Moved ${song(moved)} to ${TIER_LABELS[moved.tier]}.`);
  },
};

/** Buttons on a Now reviewing post: the outcome is written under the post, and only Next stays. */
export const reviewPostButtons: ComponentHandler[] = [
  {
    prefix: REVIEW_IDS.remove,
    access: 'reviewer',
    async handle(interaction, args, ctx) {
      if (!interaction.isButton()) return;
      const removed = await removeSongUnderReview(ctx, reviewerOf(interaction), submissionIdFrom(args));
      await interaction.update({
        content: `${interaction.message.content}\n*Removed by <@${interaction.user.id}>.*`,
        components: [reviewButtons(removed.id, { nextOnly: true })],
        allowedMentions: NO_MENTIONS,
      });
    },
  },
  {
    prefix: REVIEW_IDS.restore,
    access: 'reviewer',
    async handle(interaction, args, ctx) {
      if (!interaction.isButton()) return;
      const restored = await restoreSong(ctx, reviewerOf(interaction), submissionIdFrom(args));
      await interaction.update({
        content: `${interaction.message.content}\n*Put back in ${TIER_LABELS.free} by <@${interaction.user.id}>.*`,
        components: [reviewButtons(restored.id, { nextOnly: true })],
        allowedMentions: NO_MENTIONS,
      });
    },
  },
];
