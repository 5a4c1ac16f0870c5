import { EmbedBuilder, time, TimestampStyles } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { userText } from '../../discord/replies.js';
import type { Queryable } from '../../storage/connect.js';
import { listSessions } from '../../storage/metrics-repo.js';

export const SESSIONS_PAGE_SIZE = 10;

/** Page `page` (1-based) of the guild's live sessions, newest first. */
export async function sessionsListEmbed(db: Queryable, guildId: string, page: number): Promise<EmbedBuilder> {
  // Discord's client enforces the minimum, but a crafted interaction can still carry 0 or less.
  if (!Number.isSafeInteger(page) || page < 1) {
    throw new UserFacingError('invalid_amount', 'Pages start at 1.');
  }
  const { entries, total } = await listSessions(db, guildId, {
    offset: (page - 1) * SESSIONS_PAGE_SIZE,
    limit: SESSIONS_PAGE_SIZE,
  });
  const pages = Math.max(1, Math.ceil(total / SESSIONS_PAGE_SIZE));
  if (page > pages) {
    throw new UserFacingError(
      'not_found',
      `There ${pages === 1 ? 'is only 1 page' : `are only ${pages} pages`} of sessions; use a page from 1 to ${pages}.`,
    );
  }
  const lines = entries.map(({ session, peakViewers, likes, giftTikTokCoins }) => {
    const state = session.endedAt ? '' : ' · **live**';
    return `**#${session.id}** ${time(session.startedAt, TimestampStyles.ShortDateTime)} · @${userText(
      session.tiktokUsername,
      40,
    )}${state}\n  peak ${peakViewers ?? '–'} viewers · ${likes.toLocaleString('en-US')} likes · ${giftTikTokCoins.toLocaleString('en-US')} gift coins`;
  });
  return new EmbedBuilder()
    .setTitle('Live sessions')
    .setDescription(lines.join('\n') || 'No live session has been recorded in this server yet.')
    .setFooter({ text: `Page ${page}/${pages} · ${total} sessions · /admin metrics session for details` });
}
