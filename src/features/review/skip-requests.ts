import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  SlashCommandBuilder,
  type ButtonInteraction,
  type SlashCommandIntegerOption,
} from 'discord.js';
import { MAX_SKIP_AMOUNT, skipAmountToTier } from '../../domain/skips.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext, ComponentHandler, SlashCommand } from '../../discord/module.js';
import { NO_MENTIONS, replyPrivately, userText } from '../../discord/replies.js';
import { listActiveEmbeds } from '../../storage/embed-configs-repo.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { requestSkip } from '../../storage/queue-moves.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { formatCount } from '../economy/amounts.js';
import { REVIEW_IDS, submissionIdFrom } from './review-ids.js';
import { confirmPendingSkip, rejectPendingSkip } from './reviewer-actions.js';

const song = (s: SubmissionRecord) => `id ${s.id} **${userText(s.artist)} – ${userText(s.title)}**`;

/** A viewer asks for a paid skip; reviewers confirm it once the payment arrived. */
export const skipCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('skip')
    .setDescription('Ask for a paid skip for your waiting song; a reviewer confirms your payment')
    .addIntegerOption((o) =>
      o
        .setName('amount')
        .setDescription('What you pay the streamer (not Luxury Coins: see /buy-skip): 5, 10, 15, 20 or 25+')
        .setRequired(true)
        .setMinValue(1)
        .setMaxValue(MAX_SKIP_AMOUNT),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const amount = interaction.options.getInteger('amount', true);
    const tier = TIER_LABELS[skipAmountToTier(amount)];
    const pending = await requestSkip(ctx.database.db, interaction.guildId, interaction.user.id, amount);
    await announceToReviewers(ctx, pending, amount, tier);
    await replyPrivately(
      interaction,
      `**${userText(pending.artist)} – ${userText(pending.title)}** is waiting in ${TIER_LABELS.pending}. ` +
        `Once a reviewer confirms your payment of ${formatCount(amount)}, it moves up to ${tier}.`,
    );
  },
};

/** The request, with Confirm / Reject, in the reviewer channel; without one, reviewers see it in /queue. */
async function announceToReviewers(ctx: BotContext, pending: SubmissionRecord, amount: number, tier: string) {
  const { reviewerChannelId } = await getGuildConfig(ctx.database.db, pending.guildId);
  if (!reviewerChannelId) return;
  try {
    const channel = await ctx.client.channels.fetch(reviewerChannelId);
    if (!channel?.isSendable()) throw new Error(`reviewer channel ${reviewerChannelId} is not sendable`);
    await channel.send({
      content: `**Skip request:** <@${pending.submitterId}> asks for a skip of **${formatCount(amount)}** (${tier}) for ${song(pending)}. Confirm once their payment has arrived.`,
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder()
            .setCustomId(`${REVIEW_IDS.confirm}:${pending.id}`)
            .setLabel('Confirm')
            .setStyle(ButtonStyle.Success),
          new ButtonBuilder()
            .setCustomId(`${REVIEW_IDS.reject}:${pending.id}`)
            .setLabel('Reject')
            .setStyle(ButtonStyle.Danger),
        ),
      ],
      allowedMentions: NO_MENTIONS,
    });
  } catch (error) {
    // The request stands; reviewers still find it in Pending Skips.
    ctx.logger.warn(
      { err: error, guildId: pending.guildId, submission: pending.id },
      'could not post a skip request',
    );
  }
}

const idOption = (o: SlashCommandIntegerOption) =>
  o
    .setName('id')
    .setDescription('The song id, as the request or /queue shows it')
    .setRequired(true)
    .setMinValue(1);

export const confirmSkipCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('confirm-skip')
    .setDescription('Confirm a paid skip: the song moves to the tier of its amount')
    .addIntegerOption(idOption)
    .toJSON(),

  async execute(interaction, ctx) {
    const id = interaction.options.getInteger('id', true);
    const decision = await decideConfirm(ctx, interaction.guildId, id, interaction.user.id);
    await replyPrivately(interaction, decision.privately);
  },
};

export const rejectSkipCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('reject-skip')
    .setDescription('Reject a skip request: the song goes back to Free')
    .addIntegerOption(idOption)
    .addStringOption((o) =>
      o.setName('reason').setDescription('Why (kept in the audit log)').setMaxLength(300),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const id = interaction.options.getInteger('id', true);
    const reason = interaction.options.getString('reason') ?? undefined;
    const decision = await decideReject(ctx, interaction.guildId, id, interaction.user.id, reason);
    await replyPrivately(interaction, decision.privately);
  },
};

/** What a reviewer's decision did, for the reviewer and as a note under a skip request post. */
interface SkipDecision {
  privately: string;
  note: string;
}

async function decideConfirm(
  ctx: BotContext,
  guildId: string,
  id: number,
  actorId: string,
): Promise<SkipDecision> {
  const confirmed = await confirmPendingSkip(ctx, { guildId, userId: actorId }, id);
  const tier = TIER_LABELS[confirmed.tier];
  return {
    privately: `Confirmed: ${song(confirmed)} is now in ${tier}.`,
    note: `Confirmed by <@${actorId}>: now in ${tier}.`,
  };
}

async function decideReject(
  ctx: BotContext,
  guildId: string,
  id: number,
  actorId: string,
  reason?: string,
): Promise<SkipDecision> {
  const rejected = await rejectPendingSkip(ctx, { guildId, userId: actorId }, id, { reason });
  return {
    privately: `Rejected the skip: ${song(rejected)} is back in ${TIER_LABELS.free}.`,
    note: `Rejected by <@${actorId}>: back in ${TIER_LABELS.free}.`,
  };
}

/**
 * A pending-skips embed belongs to its refresh, which re-renders it without the decided skip and
 * keeps the other skips' buttons; rewriting it here would drop them and leave text no refresh clears.
 */
async function isQueueEmbed(ctx: BotContext, interaction: ButtonInteraction<'cached'>): Promise<boolean> {
  const embeds = await listActiveEmbeds(ctx.database.db, interaction.guildId);
  return embeds.some((e) => e.messageId === interaction.message.id);
}

function skipDecisionButton(
  prefix: string,
  decide: (ctx: BotContext, guildId: string, id: number, actorId: string) => Promise<SkipDecision>,
): ComponentHandler {
  return {
    prefix,
    access: 'reviewer',
    async handle(interaction, args, ctx) {
      if (!interaction.isButton()) return;
      const id = submissionIdFrom(args);
      const onEmbed = await isQueueEmbed(ctx, interaction);
      const decision = await decide(ctx, interaction.guildId, id, interaction.user.id);
      if (onEmbed) {
        await replyPrivately(interaction, decision.privately);
        return;
      }
      // A skip request post holds one request: the outcome replaces its buttons.
      await interaction.update({
        content: `${interaction.message.content}\n*${decision.note}*`,
        components: [],
        allowedMentions: NO_MENTIONS,
      });
    },
  };
}

/** Confirm / Reject under a skip request post or on a pending-skips embed. */
export const skipRequestButtons: ComponentHandler[] = [
  skipDecisionButton(REVIEW_IDS.confirm, decideConfirm),
  skipDecisionButton(REVIEW_IDS.reject, decideReject),
];
