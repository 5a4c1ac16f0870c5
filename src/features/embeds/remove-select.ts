import { TIER_LABELS } from '../../domain/tiers.js';
import type { ComponentHandler } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { submissionIdFrom } from '../review/review-ids.js';
import { removeSong, reviewerOf } from '../review/reviewer-actions.js';
import { embedUnderComponent } from './embed-under-component.js';
import { REMOVE_SELECT_PREFIX } from './render.js';

/**
 * "Remove a song" on the reviewer queue embed: what /remove does (a paid skip leaves a credit),
 * answered privately. The embed is left to the queue-change refresh, which drops the song.
 */
export const removeSelect: ComponentHandler = {
  prefix: REMOVE_SELECT_PREFIX,
  access: 'reviewer',
  async handle(interaction, args, ctx) {
    if (!interaction.isStringSelectMenu()) return;
    const db = ctx.database.db;
    await embedUnderComponent(db, interaction, args[0]);
    const { submission, creditTier } = await removeSong(
      ctx,
      reviewerOf(interaction),
      submissionIdFrom(interaction.values),
    );
    const credit = creditTier
      ? ` <@${submission.submitterId}> keeps a ${TIER_LABELS[creditTier]} credit for their next song.`
      : '';
    await replyPrivately(
      interaction,
      `Removed id ${submission.id} **${userText(submission.artist)} – ${userText(submission.title)}**.${credit}`,
    );
  },
};
