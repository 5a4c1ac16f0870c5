import type { GuildTextBasedChannel } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type { BotContext } from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import {
  attachEmbedMessage,
  createEmbedConfig,
  deactivateEmbed,
  deleteEmbedConfig,
  listActiveEmbeds,
  type EmbedConfig,
  type EmbedKind,
} from '../../storage/embed-configs-repo.js';
import { isForbidden, isGone } from './embed-refresh.js';
import { loadEmbedView } from './queue-view.js';
import { contentHash, renderEmbedMessage } from './render.js';

/** Posts a new self-updating message of `kind` in the channel; it updates itself from then on. */
export async function postEmbed(
  ctx: BotContext,
  channel: GuildTextBasedChannel,
  kind: EmbedKind,
): Promise<EmbedConfig> {
  const db = ctx.database.db;
  // Stored before the message exists: the message's buttons need the id.
  const config = await createEmbedConfig(db, { guildId: channel.guildId, channelId: channel.id, kind });
  const message = renderEmbedMessage(await loadEmbedView(db, config));
  let posted;
  try {
    posted = await channel.send({ ...message, allowedMentions: NO_MENTIONS });
  } catch (error) {
    await deleteEmbedConfig(db, config.id);
    if (isForbidden(error)) {
      throw new UserFacingError(
        'forbidden',
        `I can't post in <#${channel.id}>: give me View Channel, Send Messages and Embed Links there.`,
      );
    }
    throw error;
  }
  const hash = contentHash(message);
  await attachEmbedMessage(db, config.id, posted.id, hash);
  return { ...config, messageId: posted.id, contentHash: hash };
}

/**
 * The active embed of `kind` in the channel whose message is still there, else a new one. An embed
 * whose message was deleted by hand is turned off here rather than at its next edit, which may be
 * long in coming while the queue stays the same.
 */
export async function keepOrPostEmbed(
  ctx: BotContext,
  channel: GuildTextBasedChannel,
  kind: EmbedKind,
): Promise<{ config: EmbedConfig; posted: boolean }> {
  const db = ctx.database.db;
  const candidates = (await listActiveEmbeds(db, channel.guildId)).filter(
    (e) => e.kind === kind && e.channelId === channel.id,
  );
  for (const config of candidates) {
    if (!config.messageId) continue;
    try {
      // Forced: a message in the cache may have been deleted since.
      await channel.messages.fetch({ message: config.messageId, force: true });
      return { config, posted: false };
    } catch (error) {
      if (!isGone(error)) throw error;
      await deactivateEmbed(db, config.id);
    }
  }
  return { config: await postEmbed(ctx, channel, kind), posted: true };
}
