import { UserFacingError } from '../../domain/errors.js';
import type { BotContext } from '../../discord/module.js';
import { httpRoutesFor } from '../../http/routes.js';
import { recordAudit } from '../../storage/audit-repo.js';
import {
  deletePageToken,
  existingPageToken,
  pageToken,
  replacePageToken,
  type PageSlot,
} from '../../storage/overlay-repo.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { issuePageToken, slotKey } from '../../overlay/tokens.js';

/** The first segment of each page's URL; viewers read the public page's, so it says what it is. */
const PATHS: Record<PageSlot['page'], string> = { overlay: 'overlay', public: 'queue' };

const linkOf = (base: string, slot: PageSlot, token: string) => `${base}/${PATHS[slot.page]}/${token}`;

export const publicPageSlot = (guildId: string): PageSlot => ({ guildId, page: 'public', ownerId: '' });

/** The slot's URL, drawing its token the first time it is asked for. */
export async function pageLink(ctx: BotContext, slot: PageSlot): Promise<string> {
  const base = serverUrl(ctx);
  return linkOf(base, slot, await pageToken(ctx.database.db, slot, issuePageToken()));
}

/**
 * The public queue page's URL while it is on and served (the HTTP server listening, the overlay
 * module loaded); null otherwise, and `/queue` then simply has no link.
 */
export async function publicPageLink(ctx: BotContext, guildId: string): Promise<string | null> {
  const routes = httpRoutesFor(ctx);
  if (!routes.url) return null;
  const slot = publicPageSlot(guildId);
  const token = await existingPageToken(ctx.database.db, slot);
  if (!token || routes.find(linkOf('', slot, token)).length === 0) return null;
  return linkOf(ctx.config.publicUrl ?? routes.url, slot, token);
}

/**
 * Switches the slot's page off: its URL answers 404 from the commit on, and pages open on it in this
 * process are told at once (other processes find out at their next recheck). False when it was off.
 */
export async function removePageLink(
  ctx: BotContext,
  streams: PageEventStreams,
  slot: PageSlot,
  actorId: string,
): Promise<boolean> {
  const removed = await ctx.database.db.transaction(async (tx) => {
    if (!(await deletePageToken(tx, slot))) return false;
    await recordAudit(tx, {
      guildId: slot.guildId,
      actorId,
      action: 'config_set',
      details: { key: `${slot.page}_url`, to: 'off' },
    });
    return true;
  });
  streams.revoke(slotKey(slot));
  return removed;
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
  return linkOf(base, slot, next.token);
}

/** The base of the bot's page URLs as browsers reach them; refused while the HTTP server is off. */
export function serverUrl(ctx: BotContext): string {
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
