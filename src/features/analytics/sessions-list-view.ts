import { EmbedBuilder, time, TimestampStyles, type InteractionReplyOptions } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { pageButtons } from '../../discord/page-buttons.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import type { Queryable } from '../../storage/connect.js';
import { listSessions } from '../../storage/metrics-repo.js';

export const SESSIONS_PAGE_SIZE = 10;
export const SESSIONS_PAGE_PREFIX = 'metrics:sessions:page';

export type SessionsListMessage = Pick<InteractionReplyOptions, 'embeds' | 'components' | 'allowedMentions'>;

/**
 * Page `page` (1-based) of the guild's live sessions, newest first, with Previous / Next when there
 * is more than one page. Beyond the last page it is refused unless `clamp` (a button pressed after
 * sessions were deleted shows the last page instead).
 */
export async function sessionsListMessage(
  db: Queryable,
  guildId: string,
  page: number,
  { clamp = false } = {},
): Promise<SessionsListMessage> {
  // Discord's client enforces the minimum, but a crafted interaction can still carry 0 or less.
  if (!Number.isSafeInteger(page) || (page < 1 && !clamp)) {
    throw new UserFacingError('invalid_amount', 'Pages start at 1.');
  }
  page = Math.max(page, 1);
  const read = (p: number) =>
    listSessions(db, guildId, { offset: (p - 1) * SESSIONS_PAGE_SIZE, limit: SESSIONS_PAGE_SIZE });
  let { entries, total } = await read(page);
  const pages = Math.max(1, Math.ceil(total / SESSIONS_PAGE_SIZE));
  if (page > pages) {
    if (!clamp) {
      throw new UserFacingError(
        'not_found',
        `There ${pages === 1 ? 'is only 1 page' : `are only ${pages} pages`} of sessions; use a page from 1 to ${pages}.`,
      );
    }
    page = pages;
    ({ entries, total } = await read(page));
  }
  const lines = entries.map(({ session, peakViewers, likes, giftTikTokCoins }) => {
    const state = session.endedAt ? '' : ' · **live**';
    return `**#${session.id}** ${time(session.startedAt, TimestampStyles.ShortDateTime)} · @${userText(
      session.tiktokUsername,
      40,
    )}${state}\n  peak ${peakViewers?.toLocaleString('en-US') ?? '–'} viewers · ${likes.toLocaleString('en-US')} likes · ${giftTikTokCoins.toLocaleString('en-US')} TikTok coins gifted`;
  });
  const embed = new EmbedBuilder()
    .setTitle('Live sessions')
    .setDescription(lines.join('\n') || 'No live session has been recorded in this server yet.')
    .setFooter({ text: `Page ${page}/${pages} · ${total} sessions · /admin metrics session for details` });
  return {
    embeds: [embed],
    components: pages > 1 ? [pageButtons(SESSIONS_PAGE_PREFIX, page, pages)] : [],
    allowedMentions: NO_MENTIONS,
  };
}
