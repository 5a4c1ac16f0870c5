import type { Message } from 'discord.js';
import { formatScore, MAX_VERDICT_LENGTH } from '../../domain/ratings.js';
import type { SkipTier, Tier } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import {
  confirmSkip,
  moveSubmission,
  rejectSkip,
  removeSubmission,
  restoreSubmission,
} from '../../storage/queue-moves.js';
import { rateSong, type RatingRequest, type RatingResult } from '../../storage/ratings-repo.js';
import { getPreferences, removeFromReview, takeNextForReview } from '../../storage/review-repo.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { recordReviewPost } from '../../storage/take-records-repo.js';
import { uploadsDirOf } from '../submissions/submit-flow.js';
import { tellNextInLine } from './next-in-line-notice.js';
import { nowReviewingMessage, ratedButtons, reviewedContent } from './now-reviewing.js';

/**
 * Every reviewer action, once: the slash commands, the buttons under Discord posts and the web
 * studio all call these, so each writes the same audit rows and leaves the same posts. Views follow
 * from the queue-change feed (database triggers), whoever acted. `expectedTier` is what a page
 * showed: a song someone else moved since is refused with a `stale` error instead of acted on.
 */
export interface Reviewer {
  guildId: string;
  userId: string;
}

/** Who acts, from an interaction in a server. */
export function reviewerOf(interaction: { guildId: string; user: { id: string } }): Reviewer {
  return { guildId: interaction.guildId, userId: interaction.user.id };
}

export interface TakenSong {
  song: SubmissionRecord & { servedFrom: Tier };
  /** The Now reviewing post, or null when it could not be sent (the song is played all the same). */
  post: Message | null;
}

/**
 * Takes the head of the queue (atomically: two reviewers at once get different songs), posts it
 * publicly in `channelId`, remembers the post for undo and rating, and tells whoever is now first in
 * line. Null when the queue is empty.
 */
export async function takeNextSong(
  ctx: BotContext,
  reviewer: Reviewer,
  channelId: string,
  attachmentLimit?: number,
): Promise<TakenSong | null> {
  const { guildId } = reviewer;
  const song = await takeNextForReview(ctx.database.db, guildId, reviewer.userId);
  if (!song) return null;
  let post: Message | null = null;
  try {
    const preferences = await getPreferences(ctx.database.db, guildId, song.submitterId);
    const message = await nowReviewingMessage(song, preferences, uploadsDirOf(ctx), attachmentLimit);
    const channel = await ctx.client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not sendable`);
    post = await channel.send(message);
  } catch (error) {
    ctx.logger.warn({ err: error, guildId, submission: song.id }, 'could not post Now reviewing');
  }
  if (post) await noteReviewPost(ctx, guildId, song.id, post);
  await tellNextInLine(ctx, guildId);
  return { song, post };
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

export function removeSong(
  ctx: BotContext,
  reviewer: Reviewer,
  id: number,
  options: { reason?: string | undefined; withoutCredit?: boolean; expectedTier?: Tier | undefined } = {},
): Promise<{ submission: SubmissionRecord; creditTier: SkipTier | null }> {
  return removeSubmission(ctx.database.db, reviewer.guildId, id, reviewer.userId, options);
}

/** Remove on the song under review: it leaves the history as Removed (see removeFromReview). */
export function removeSongUnderReview(
  ctx: BotContext,
  reviewer: Reviewer,
  id: number,
): Promise<SubmissionRecord> {
  return removeFromReview(ctx.database.db, reviewer.guildId, id, reviewer.userId);
}

export function restoreSong(
  ctx: BotContext,
  reviewer: Reviewer,
  id: number,
  expectedTier?: Tier,
): Promise<SubmissionRecord> {
  return restoreSubmission(ctx.database.db, reviewer.guildId, id, reviewer.userId, expectedTier);
}

export function moveSong(
  ctx: BotContext,
  reviewer: Reviewer,
  id: number,
  to: Tier,
  expectedTier?: Tier,
): Promise<SubmissionRecord> {
  return moveSubmission(ctx.database.db, reviewer.guildId, id, to, reviewer.userId, { expectedTier });
}

export function confirmPendingSkip(
  ctx: BotContext,
  reviewer: Reviewer,
  id: number,
  expectedTier?: Tier,
): Promise<SubmissionRecord> {
  return confirmSkip(ctx.database.db, reviewer.guildId, id, reviewer.userId, expectedTier);
}

export function rejectPendingSkip(
  ctx: BotContext,
  reviewer: Reviewer,
  id: number,
  options: { reason?: string | undefined; expectedTier?: Tier | undefined } = {},
): Promise<SubmissionRecord> {
  return rejectSkip(ctx.database.db, reviewer.guildId, id, reviewer.userId, options);
}

/**
 * A rating: stored (with its audit row), then the Now reviewing post becomes "Reviewed", then the
 * submitter hears of it if they want to. The rating stands if the post or the DM fails: those are
 * logged.
 */
export async function rateSongUnderReview(
  ctx: BotContext,
  reviewer: Reviewer,
  request: Omit<RatingRequest, 'reviewerId'>,
): Promise<RatingResult> {
  const result = await rateSong(ctx.database.db, reviewer.guildId, {
    ...request,
    reviewerId: reviewer.userId,
  });
  await markPostReviewed(ctx, reviewer.guildId, result);
  await tellSubmitter(ctx, reviewer.guildId, result);
  return result;
}

async function markPostReviewed(ctx: BotContext, guildId: string, { post, song, rating }: RatingResult) {
  if (!post) return;
  try {
    const channel = await ctx.client.channels.fetch(post.channelId);
    if (!channel?.isTextBased()) throw new Error(`channel ${post.channelId} is not a text channel`);
    const message = await channel.messages.fetch(post.messageId);
    await message.edit({
      content: reviewedContent(message.content, song, rating),
      components: [ratedButtons(song.id)],
      allowedMentions: NO_MENTIONS,
    });
  } catch (error) {
    ctx.logger.warn(
      { err: error, guildId, submission: song.id },
      'could not mark a Now reviewing post reviewed',
    );
  }
}

/** A DM with the score, unless the submitter turned it off with /notify rated:off. */
async function tellSubmitter(
  ctx: BotContext,
  guildId: string,
  { song, rating, previousTenths }: RatingResult,
) {
  try {
    const { notifyWhenRated } = await getPreferences(ctx.database.db, guildId, song.submitterId);
    if (!notifyWhenRated) return;
    const server = ctx.client.guilds.cache.get(guildId)?.name;
    const name = `**${userText(song.artist)} – ${userText(song.title)}**`;
    const where = server ? ` in ${userText(server)}` : '';
    const score = `**${formatScore(rating.scoreTenths)}/10**`;
    const what =
      previousTenths === null
        ? `Your song ${name} was rated ${score}${where}`
        : `The rating of your song ${name}${where} was corrected to ${score} (it was ${formatScore(previousTenths)}/10)`;
    const verdict = rating.verdict ? `: ${userText(rating.verdict, MAX_VERDICT_LENGTH)}` : '.';
    await ctx.client.users.send(song.submitterId, {
      content: `${what}${verdict}\nTurn these messages off with /notify rated:off.`,
      allowedMentions: NO_MENTIONS,
    });
  } catch (error) {
    ctx.logger.info({ err: error, guildId, submission: song.id }, 'rating DM not delivered');
  }
}
