import { Routes, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { BotContext } from '../../discord/module.js';
import { userText } from '../../discord/replies.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { GiftSkipAward } from '../../storage/gift-skip-claims-repo.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';

/**
 * Sends to a guild channel; a missing channel or permission is logged, never thrown at ingestion.
 * Straight through the REST API: the process that owns a server's TikTok LIVE need not run the
 * server's Discord shard, so the channel may not be in its cache (where discord.js can fetch it, but
 * gives a channel without a guild, which cannot send), and REST takes one request instead of two.
 */
export async function postInChannel(
  ctx: BotContext,
  channelId: string | null,
  content: string,
): Promise<void> {
  if (!channelId) return;
  try {
    const body: RESTPostAPIChannelMessageJSONBody = { content, allowed_mentions: { parse: [] } };
    await ctx.client.rest.post(Routes.channelMessages(channelId), { body });
  } catch (error) {
    ctx.logger.warn({ err: error, channelId }, 'tiktok announcement not delivered');
  }
}

export function describeGiftSkip(award: GiftSkipAward): string | null {
  const who = `@${userText(award.handle || award.tiktokUserId, 40)}`;
  const gift = `${award.giftValue.toLocaleString('en-US')} TikTok coins`;
  const tier = TIER_LABELS[award.tier];
  switch (award.outcome.kind) {
    case 'upgraded': {
      const song = award.outcome.after;
      return `🎁 ${who} (<@${award.discordUserId}>) gifted ${gift}: **${userText(song.artist)} – ${userText(song.title)}** moved from ${TIER_LABELS[award.outcome.before.tier]} to ${tier}.`;
    }
    case 'credited':
      return `🎁 ${who} (<@${award.discordUserId}>) gifted ${gift}: a ${tier} waits for their next submission.`;
    case 'claimable':
      return `🎁 ${who} gifted ${gift}: a ${tier} waits until they link their TikTok account.`;
    case 'kept':
      return null;
  }
}

/** Tells the reviewers about skips bought with gifts, and the queue views that it moved. */
export async function announceGiftSkips(
  ctx: BotContext,
  guildId: string,
  awards: GiftSkipAward[],
): Promise<void> {
  if (awards.length === 0) return;
  await postToReviewers(
    ctx,
    guildId,
    awards.map(describeGiftSkip).filter((line): line is string => line !== null),
  );
}

/**
 * A skip the account's gifts earned before it was linked, applied as its link completed from the
 * live chat: the reviewers hear of it like any gift skip (the queue views are refreshed by
 * `announceGiftSkip`, as for every link).
 */
export async function announceClaimedGiftSkip(
  ctx: BotContext,
  guildId: string,
  award: GiftSkipAward | null,
): Promise<void> {
  if (!award) return;
  const line = describeClaimedGiftSkip(award);
  if (line) await postToReviewers(ctx, guildId, [line]);
}

export function describeClaimedGiftSkip(award: GiftSkipAward): string | null {
  const who = `@${userText(award.handle || award.tiktokUserId, 40)} (<@${award.discordUserId}>)`;
  const gifts = `gifts sent before (${award.giftValue.toLocaleString('en-US')} TikTok coins)`;
  const tier = TIER_LABELS[award.tier];
  switch (award.outcome.kind) {
    case 'upgraded': {
      const song = award.outcome.after;
      return `🎁 ${who} linked their TikTok account: ${gifts} moved **${userText(song.artist)} – ${userText(song.title)}** from ${TIER_LABELS[award.outcome.before.tier]} to ${tier}.`;
    }
    case 'credited':
      return `🎁 ${who} linked their TikTok account: ${gifts} earned a ${tier} for their next submission.`;
    case 'claimable':
    case 'kept':
      return null;
  }
}

async function postToReviewers(ctx: BotContext, guildId: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const { reviewerChannelId } = await getGuildConfig(ctx.database.db, guildId);
  await postInChannel(ctx, reviewerChannelId, lines.join('\n'));
}
