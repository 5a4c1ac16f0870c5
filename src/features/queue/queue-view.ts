import { EmbedBuilder, type InteractionReplyOptions } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { SERVING_TIERS, TIER_LABELS, type Tier } from '../../domain/tiers.js';
import { pageButtons } from '../../discord/page-buttons.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import type { Queryable } from '../../storage/connect.js';
import { listQueue } from '../../storage/submissions-repo.js';

export const QUEUE_PAGE_SIZE = 10;
export const QUEUE_PAGE_PREFIX = 'queue:page';
/** What /queue lists: the tiers `next` serves, then the skip requests waiting for a reviewer. */
const LISTED_TIERS: readonly Tier[] = [...SERVING_TIERS, 'pending'];

export type QueueMessage = Pick<InteractionReplyOptions, 'embeds' | 'components' | 'allowedMentions'>;

export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
}

/**
 * One page of the queue as an embed, tier by tier. Submitters appear as mentions inside the embed:
 * Discord never pings for those, and allowedMentions says so anyway.
 *
 * `page` is 1-based; beyond the last page it is refused unless `clamp` (a stale button after the queue
 * shrank shows the last page instead).
 */
export async function renderQueuePage(
  db: Queryable,
  guildId: string,
  page: number,
  { clamp = false } = {},
): Promise<QueueMessage> {
  let shown = await listQueue(db, guildId, {
    tiers: LISTED_TIERS,
    offset: (page - 1) * QUEUE_PAGE_SIZE,
    limit: QUEUE_PAGE_SIZE,
  });
  const pages = pageCount(shown.total);
  if (page < 1 || page > pages) {
    if (!clamp) {
      throw new UserFacingError(
        'not_found',
        `There ${pages === 1 ? 'is only 1 page' : `are only ${pages} pages`} of the queue; use a page from 1 to ${pages}.`,
      );
    }
    page = Math.min(Math.max(page, 1), pages);
    shown = await listQueue(db, guildId, {
      tiers: LISTED_TIERS,
      offset: (page - 1) * QUEUE_PAGE_SIZE,
      limit: QUEUE_PAGE_SIZE,
    });
  }
  const embed = new EmbedBuilder()
    .setTitle('Review queue')
    .setDescription(describeEntries(shown.entries) || 'The queue is empty. Submit a song with /submit.')
    .setFooter({ text: `Page ${page}/${pages} · ${shown.total} waiting` });
  return {
    embeds: [embed],
    components: pages > 1 ? [pageButtons(QUEUE_PAGE_PREFIX, page, pages)] : [],
    allowedMentions: NO_MENTIONS,
  };
}

function describeEntries(
  entries: { id: number; tier: Tier; position: number; artist: string; title: string; submitterId: string }[],
): string {
  const lines: string[] = [];
  let tier: Tier | undefined;
  for (const e of entries) {
    if (e.tier !== tier) {
      tier = e.tier;
      lines.push(`**${TIER_LABELS[tier]}**`);
    }
    // Pending songs have no place in line until a reviewer confirms their skip.
    const place = e.tier === 'pending' ? '–' : `#${e.position}`;
    lines.push(
      `${place} ${userText(e.artist, 60)} – ${userText(e.title, 60)} · <@${e.submitterId}> (id ${e.id})`,
    );
  }
  return lines.join('\n');
}
