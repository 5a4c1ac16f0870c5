import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';
import type { BotContext } from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import {
  deactivateEmbed,
  getEmbedConfigById,
  swapEmbedContent,
  type EmbedConfig,
} from '../../storage/embed-configs-repo.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { loadEmbedView } from './queue-view.js';
import { contentHash, renderEmbedMessage, type EmbedMessage } from './render.js';
import type { RefreshOutcome } from './refresh-queue.js';

/** Discord's answer when the message or its channel no longer exists: the embed is gone for good. */
export function isGone(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    (error.code === RESTJSONErrorCodes.UnknownMessage || error.code === RESTJSONErrorCodes.UnknownChannel)
  );
}

/** The bot may not see or write in the channel; an admin can fix that, so the embed stays. */
export function isForbidden(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    (error.code === RESTJSONErrorCodes.MissingPermissions || error.code === RESTJSONErrorCodes.MissingAccess)
  );
}

export const KIND_NAMES: Record<EmbedConfig['kind'], string> = {
  live_queue: 'live queue',
  reviewer_queue: 'reviewer queue',
  pending_skips: 'pending skips',
};

/**
 * Brings one embed's message up to date: renders its page from the database and edits the message
 * only when the content hash changed. The hash is swapped before the edit (so of several processes
 * only one edits) and swapped back if the edit fails (so a later refresh tries again).
 */
export async function refreshEmbed(ctx: BotContext, embedId: number): Promise<RefreshOutcome> {
  const db = ctx.database.db;
  const config = await getEmbedConfigById(db, embedId);
  if (!config?.active || !config.messageId) return 'skipped';
  const view = await loadEmbedView(db, config);
  const message = renderEmbedMessage(view);
  const hash = contentHash(message);
  if (hash === config.contentHash) return 'unchanged';
  const swap = { expected: config.contentHash, next: hash, page: view.page };
  if (!(await swapEmbedContent(db, embedId, swap))) return 'skipped';
  try {
    await editMessage(ctx, config.channelId, config.messageId, message);
    return 'edited';
  } catch (error) {
    if (isGone(error)) {
      if (await deactivateEmbed(db, embedId)) await tellAdminsEmbedGone(ctx, config);
      return 'gone';
    }
    await swapEmbedContent(db, embedId, { expected: hash, next: config.contentHash, page: config.page });
    const context = { err: error, embedId, guildId: config.guildId, channelId: config.channelId };
    if (isForbidden(error)) ctx.logger.warn(context, 'no permission to update a queue embed');
    else ctx.logger.error(context, 'queue embed update failed');
    return 'failed';
  }
}

async function editMessage(
  ctx: BotContext,
  channelId: string,
  messageId: string,
  message: EmbedMessage,
): Promise<void> {
  const channel = await ctx.client.channels.fetch(channelId);
  if (!channel?.isTextBased()) throw new Error(`channel ${channelId} cannot hold messages`);
  await channel.messages.edit(messageId, { ...message, allowedMentions: NO_MENTIONS });
}

/** Once per embed: in the reviewer channel, else the server's system channel. */
async function tellAdminsEmbedGone(ctx: BotContext, config: EmbedConfig): Promise<void> {
  const guild = ctx.client.guilds.cache.get(config.guildId);
  const channelId =
    (await getGuildConfig(ctx.database.db, config.guildId)).reviewerChannelId ?? guild?.systemChannelId;
  const context = { embedId: config.id, guildId: config.guildId };
  if (!channelId) {
    ctx.logger.warn(context, 'queue embed deleted; no channel to tell the admins in');
    return;
  }
  try {
    const channel = await ctx.client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`cannot send in channel ${channelId}`);
    await channel.send({
      content:
        `The ${KIND_NAMES[config.kind]} embed #${config.id} in <#${config.channelId}> was deleted, so it ` +
        'no longer updates. Post a new one with `/admin embed create`.',
      allowedMentions: NO_MENTIONS,
    });
  } catch (error) {
    ctx.logger.warn({ ...context, err: error }, 'could not tell the admins that a queue embed was deleted');
  }
}
