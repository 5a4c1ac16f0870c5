import type { BotContext } from '../../discord/module.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import { peekNextSubmission } from '../../storage/queue-moves.js';
import { getPreferences } from '../../storage/review-repo.js';

/**
 * After a song is taken, the owner of the song now first in line gets a "you're next" DM if they
 * asked for it with /notify. DMs fail routinely (closed DMs, blocked bot): that is logged, never
 * passed on to the reviewer who pressed Next.
 */
export async function tellNextInLine(ctx: BotContext, guildId: string): Promise<void> {
  try {
    const next = await peekNextSubmission(ctx.database.db, guildId);
    if (!next) return;
    const { notifyWhenNext } = await getPreferences(ctx.database.db, guildId, next.submitterId);
    if (!notifyWhenNext) return;
    const server = ctx.client.guilds.cache.get(guildId)?.name;
    await ctx.client.users.send(next.submitterId, {
      content: `You're next! **${userText(next.artist)} – ${userText(next.title)}** is first in line${server ? ` in ${userText(server)}` : ''}. Turn it off with /notify next:off.`,
      allowedMentions: NO_MENTIONS,
    });
  } catch (error) {
    ctx.logger.warn({ err: error, guildId }, "could not send a you're-next DM");
  }
}
