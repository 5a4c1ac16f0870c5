import type { Message } from 'discord.js';
import { artistTitleFromLink } from '../../domain/link-titles.js';
import { extractLinks, parseArtistTitle } from '../../domain/links.js';
import { singleSongLink } from '../../domain/pasted-message.js';
import { checkSongName } from '../../domain/submission-text.js';
import { failureMessage } from '../../discord/errors.js';
import type { BotContext, ModuleScope } from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import type { LinkNameLookup } from './link-names.js';
import { acceptLink, describeQueued, queueSong } from './submit-flow.js';

export const HYGIENE_NOTICE_MS = 8_000;

/**
 * A message in the submission channel with a supported link becomes a submission: the bot reacts
 * and replies with the queue position. Without "Artist - Title" in the message, the link's platform
 * names the song when it can (`linkNames`, LINK_NAMES on), else the link itself does. A refused link, a name with mentions or Markdown, or a message with
 * several links gets the reason and queues nothing.
 */
export async function detectSubmission(
  message: Message<true>,
  ctx: BotContext,
  scope: ModuleScope,
  options: { hygieneNoticeMs: number; linkNames: LinkNameLookup | undefined },
): Promise<void> {
  const config = await getGuildConfig(ctx.database.db, message.guildId);
  if (!config.submissionChannelId || message.channelId !== config.submissionChannelId) return;
  const links = extractLinks(message.content);
  if (links.length === 0) {
    if (config.settings.channelHygiene && message.attachments.size === 0) {
      await removeChatter(message, scope, options.hygieneNoticeMs);
    }
    return;
  }
  try {
    const link = acceptLink(singleSongLink(links));
    const named =
      parseArtistTitle(message.content) ??
      (await options.linkNames?.nameOf(link)) ??
      artistTitleFromLink(link.url, link.platform);
    const queued = await queueSong(ctx, {
      guildId: message.guildId,
      submitterId: message.author.id,
      artist: checkSongName('artist', named.artist),
      title: checkSongName('title', named.title),
      link,
      source: 'message',
    });
    await message.react('✅');
    await message.reply({ content: describeQueued(queued), allowedMentions: NO_MENTIONS });
  } catch (error) {
    // Whatever failed, the viewer who pasted a link hears back: the reason, or an apology.
    const reason = failureMessage(error, ctx.logger, 'pasted link');
    await message.react('❌').catch(() => {});
    await message.reply({ content: reason, allowedMentions: NO_MENTIONS });
  }
}

/** Channel hygiene (off by default): chatter in the submission channel is removed with a short notice. */
async function removeChatter(message: Message<true>, scope: ModuleScope, noticeMs: number): Promise<void> {
  await message.delete();
  const notice = await message.channel.send({
    content: `<@${message.author.id}>, this channel is for song submissions only: paste a link, or use /submit.`,
    allowedMentions: NO_MENTIONS,
  });
  scope.setTimeout(() => void notice.delete().catch(() => {}), noticeMs);
}
