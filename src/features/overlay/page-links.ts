import { UserFacingError } from '../../domain/errors.js';
import type { BotContext } from '../../discord/module.js';
import { httpRoutesFor } from '../../http/routes.js';
import { recordAudit } from '../../storage/audit-repo.js';
import { pageToken, replacePageToken, type PageSlot } from '../../storage/overlay-repo.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { issuePageToken, slotKey } from '../../overlay/tokens.js';

/** The slot's URL, drawing its token the first time it is asked for. */
export async function pageLink(ctx: BotContext, slot: PageSlot): Promise<string> {
  const base = serverUrl(ctx);
  return `${base}/${slot.page}/${await pageToken(ctx.database.db, slot, issuePageToken())}`;
}

/**
 * A new URL for the slot. The old one stops working with the commit, and pages open on it in this
 * process are told at once and disconnected (other processes find out at their next recheck).
 */
export async function replacePageLink(
  ctx: BotContext,
  streams: PageEventStreams,
  slot: PageSlot,
  actorId: string,
): Promise<string> {
  const base = serverUrl(ctx);
  const next = issuePageToken();
  await ctx.database.db.transaction(async (tx) => {
    await replacePageToken(tx, slot, next);
    await recordAudit(tx, {
      guildId: slot.guildId,
      actorId,
      action: 'config_set',
      details: { key: `${slot.page}_url`, to: 'new secret URL' },
    });
  });
  streams.revoke(slotKey(slot));
  return `${base}/${slot.page}/${next.token}`;
}

function serverUrl(ctx: BotContext): string {
  const url = httpRoutesFor(ctx).url;
  if (!url) {
    throw new UserFacingError(
      'not_found',
      "The bot's web pages are switched off right now; ask the bot's owner to turn them back on.",
    );
  }
  // Behind a proxy or tunnel OBS reaches the bot at PUBLIC_URL, not at the loopback address it listens on.
  return ctx.config.publicUrl ?? url;
}
