import {
  ActionRowBuilder,
  MessageFlags,
  ModalBuilder,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { formatScore, MAX_VERDICT_LENGTH, parseScore, parseVerdict } from '../../domain/ratings.js';
import type { ComponentHandler, SlashCommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { checkRatingAllowed, currentRating, type RatingResult } from '../../storage/ratings-repo.js';
import { REVIEW_IDS, submissionIdFrom } from './review-ids.js';
import { rateSongUnderReview, reviewerOf } from './reviewer-actions.js';

function describeRating({ song, rating, previousTenths }: RatingResult): string {
  const name = `id ${song.id} **${userText(song.artist)} – ${userText(song.title)}**`;
  const score = `${formatScore(rating.scoreTenths)}/10`;
  return previousTenths === null
    ? `Rated ${name}: ${score}.`
    : `Corrected the rating of ${name}: ${formatScore(previousTenths)}/10 → ${score}.`;
}

export const rateCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('rate')
    .setDescription('Rate the song under review: a score from 0 to 10 and a short verdict')
    .addStringOption((o) =>
      o
        .setName('score')
        .setDescription('0 to 10, one decimal at most: 7.5')
        .setRequired(true)
        .setMaxLength(5),
    )
    .addStringOption((o) =>
      o
        .setName('verdict')
        .setDescription(`A short verdict, shown with the score (up to ${MAX_VERDICT_LENGTH} characters)`)
        .setMaxLength(MAX_VERDICT_LENGTH),
    )
    .addBooleanOption((o) =>
      o
        .setName('correct')
        .setDescription('Change a rating already given (to the song under review, or to id)'),
    )
    .addIntegerOption((o) =>
      o.setName('id').setDescription('With correct: the id of an earlier song to correct').setMinValue(1),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const scoreTenths = parseScore(interaction.options.getString('score', true));
    const verdict = parseVerdict(interaction.options.getString('verdict'));
    const id = interaction.options.getInteger('id');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await rateSongUnderReview(ctx, reviewerOf(interaction), {
      ...(id !== null ? { submissionId: id } : {}),
      scoreTenths,
      verdict,
      correcting: interaction.options.getBoolean('correct') ?? false,
    });
    await replyPrivately(interaction, describeRating(result));
  },
};

/** The form behind Rate and Correct the rating; a correction starts from the current rating. */
function ratingForm(id: number, current: { scoreTenths: number; verdict: string | null } | null) {
  const score = new TextInputBuilder()
    .setCustomId('score')
    .setLabel('Score from 0 to 10')
    .setPlaceholder('One decimal at most, like 7.5')
    .setStyle(TextInputStyle.Short)
    .setRequired(true)
    .setMaxLength(5);
  const verdict = new TextInputBuilder()
    .setCustomId('verdict')
    .setLabel('Verdict (optional)')
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(false)
    .setMaxLength(MAX_VERDICT_LENGTH);
  if (current) {
    score.setValue(formatScore(current.scoreTenths));
    if (current.verdict) verdict.setValue(current.verdict);
  }
  return new ModalBuilder()
    .setCustomId(`${REVIEW_IDS.rateForm}:${id}${current ? ':correct' : ''}`)
    .setTitle(current ? 'Correct the rating' : 'Rate this song')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(score),
      new ActionRowBuilder<TextInputBuilder>().addComponents(verdict),
    );
}

export const ratingButtons: ComponentHandler[] = [
  {
    prefix: REVIEW_IDS.rate,
    access: 'reviewer',
    async handle(interaction, args, ctx) {
      if (!interaction.isButton()) return;
      const id = submissionIdFrom(args);
      await checkRatingAllowed(ctx.database.db, interaction.guildId, id, false);
      await interaction.showModal(ratingForm(id, null));
    },
  },
  {
    prefix: REVIEW_IDS.correct,
    access: 'reviewer',
    async handle(interaction, args, ctx) {
      if (!interaction.isButton()) return;
      const id = submissionIdFrom(args);
      const current = await currentRating(ctx.database.db, interaction.guildId, id);
      if (!current) {
        await replyPrivately(interaction, `Song id ${id} has no rating to correct any more.`);
        return;
      }
      await interaction.showModal(ratingForm(id, current));
    },
  },
  {
    prefix: REVIEW_IDS.rateForm,
    access: 'reviewer',
    async handle(interaction, args, ctx) {
      if (!interaction.isModalSubmit()) return;
      const scoreTenths = parseScore(interaction.fields.getTextInputValue('score'));
      const verdict = parseVerdict(interaction.fields.getTextInputValue('verdict'));
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const result = await rateSongUnderReview(ctx, reviewerOf(interaction), {
        submissionId: submissionIdFrom(args),
        scoreTenths,
        verdict,
        correcting: args[1] === 'correct',
      });
      await replyPrivately(interaction, describeRating(result));
    },
  },
];
