import type { BotContext } from './module.js';
import { NO_MENTIONS } from './replies.js';

/**
 * A DM to a member. Members may have DMs closed or the bot blocked, which must not disturb what
 * triggered the message: a failure is logged, never thrown.
 */
export async function sendDirectMessage(ctx: BotContext, userId: string, content: string): Promise<void> {
  try {
    await ctx.client.users.send(userId, { content, allowedMentions: NO_MENTIONS });
  } catch (error) {
    ctx.logger.info({ err: error, userId }, 'direct message not delivered');
  }
}
