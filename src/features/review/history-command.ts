import { EmbedBuilder, MessageFlags, SlashCommandBuilder, type InteractionUpdateOptions } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { formatScore } from '../../domain/ratings.js';
import type { ComponentHandler, SlashCommand } from '../../discord/module.js';
import { pageButtons } from '../../discord/page-buttons.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import type { Queryable } from '../../storage/connect.js';
import {
  bestRated,
  bestRatedThisLive,
  recentReviews,
  type ReviewEntry,
} from '../../storage/review-history-repo.js';

const PAGE_SIZE = 10;
const TOP_SIZE = 5;
/** Page buttons carry the filter in their custom id, which Discord caps at 100 characters. */
const MAX_ARTIST_FILTER = 60;
const HISTORY_PAGE_PREFIX = 'review:history';

/** Score, song, submitter (a mention in an embed never pings) and when; the verdict below it. */
function describeEntry(entry: ReviewEntry, { verdict = true } = {}): string {
  const line = `**${formatScore(entry.scoreTenths)}/10** · ${userText(entry.artist, 60)} – ${userText(entry.title, 60)} · <@${entry.submitterId}> · <t:${Math.floor(entry.ratedAt.getTime() / 1000)}:d>`;
  return verdict && entry.verdict ? `${line}\n“${userText(entry.verdict, 120)}”` : line;
}

/**
 * Lines joined up to Discord's limit (4,096 for a description, 1,024 for a field): escaped names can
 * double in length, so a page of hostile names may not fit whole; what is left out is counted.
 */
function fitLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const more = `\n…and ${lines.length - i} more`;
    if (length + line.length + 1 + (i < lines.length - 1 ? more.length : 0) > max) {
      return `${kept.join('\n')}${more}`;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join('\n');
}

type HistoryFilter =
  { kind: 'all' } | { kind: 'artist'; artist: string } | { kind: 'submitter'; userId: string };

/** The filter in a page button's id: `a:<artist>`, `u:<user id>`, or nothing. */
function filterArgs(filter: HistoryFilter): string {
  if (filter.kind === 'artist') return `:a:${filter.artist}`;
  if (filter.kind === 'submitter') return `:u:${filter.userId}`;
  return '';
}

async function renderHistoryPage(
  db: Queryable,
  guildId: string,
  filter: HistoryFilter,
  requestedPage: number,
): Promise<Pick<InteractionUpdateOptions, 'embeds' | 'components' | 'allowedMentions'>> {
  const query = {
    ...(filter.kind === 'artist' ? { artist: filter.artist } : {}),
    ...(filter.kind === 'submitter' ? { submitterId: filter.userId } : {}),
  };
  const { total } = await recentReviews(db, guildId, { ...query, limit: 1 });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pages);
  const { entries } = await recentReviews(db, guildId, {
    ...query,
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  const about =
    filter.kind === 'artist'
      ? ` of artists matching “${userText(filter.artist, MAX_ARTIST_FILTER)}”`
      : filter.kind === 'submitter'
        ? ` of songs by <@${filter.userId}>`
        : '';
  const embed = new EmbedBuilder()
    .setTitle('Recent reviews')
    .setDescription(
      entries.length > 0
        ? fitLines([`Reviews${about}, newest first:`, ...entries.map((e) => describeEntry(e))], 4096)
        : `No reviews${about} yet.`,
    )
    .setFooter({ text: `Page ${page}/${pages} · ${total} ${total === 1 ? 'review' : 'reviews'}` });
  return {
    embeds: [embed],
    components: pages > 1 ? [pageButtons(HISTORY_PAGE_PREFIX, page, pages, filterArgs(filter))] : [],
    allowedMentions: NO_MENTIONS,
  };
}

export const historyCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('history')
    .setDescription("This server's recent reviews, newest first")
    .addStringOption((o) =>
      o
        .setName('artist')
        .setDescription('Only artists whose name contains this')
        .setMaxLength(MAX_ARTIST_FILTER),
    )
    .addUserOption((o) => o.setName('submitter').setDescription('Only songs this member submitted'))
    .addIntegerOption((o) =>
      o.setName('page').setDescription('Page number (10 reviews a page)').setMinValue(1),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const artist = interaction.options.getString('artist')?.trim();
    const submitter = interaction.options.getUser('submitter');
    if (artist && submitter) {
      throw new UserFacingError('invalid_text', 'Filter by artist or by submitter, one at a time.');
    }
    const filter: HistoryFilter = artist
      ? { kind: 'artist', artist: artist.slice(0, MAX_ARTIST_FILTER) }
      : submitter
        ? { kind: 'submitter', userId: submitter.id }
        : { kind: 'all' };
    const view = await renderHistoryPage(
      ctx.database.db,
      interaction.guildId,
      filter,
      interaction.options.getInteger('page') ?? 1,
    );
    await interaction.reply({ ...view, flags: MessageFlags.Ephemeral });
  },
};

/** Previous / Next under /history: `review:history:<page>[:a:<artist>|:u:<user id>]`. */
export const historyPageButtons: ComponentHandler = {
  prefix: HISTORY_PAGE_PREFIX,
  access: 'everyone',
  async handle(interaction, args, ctx) {
    const page = Number(args[0]);
    const [kind, ...rest] = args.slice(1);
    const value = rest.join(':');
    if (!interaction.isButton() || !Number.isSafeInteger(page)) {
      throw new UserFacingError('not_found', 'This button no longer works; use /history instead.');
    }
    const filter: HistoryFilter =
      kind === 'a' && value
        ? { kind: 'artist', artist: value }
        : kind === 'u' && /^\d{1,25}$/.test(value)
          ? { kind: 'submitter', userId: value }
          : { kind: 'all' };
    await interaction.update(await renderHistoryPage(ctx.database.db, interaction.guildId, filter, page));
  },
};

export const topCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('top')
    .setDescription('The best-rated songs of this live, of the last 7 days and of all time')
    .toJSON(),

  async execute(interaction, ctx) {
    const db = ctx.database.db;
    const { guildId } = interaction;
    const weekAgo = new Date(Date.now() - 7 * 24 * 3600 * 1000);
    const [live, week, ever] = await Promise.all([
      bestRatedThisLive(db, guildId, TOP_SIZE),
      bestRated(db, guildId, { since: weekAgo, limit: TOP_SIZE }),
      bestRated(db, guildId, { limit: TOP_SIZE }),
    ]);
    const list = (entries: ReviewEntry[], none: string) =>
      entries.length > 0
        ? fitLines(
            entries.map((e, i) => `${i + 1}. ${describeEntry(e, { verdict: false })}`),
            1024,
          )
        : none;
    const embed = new EmbedBuilder().setTitle('Best-rated songs').addFields(
      {
        name: 'This live',
        value: live ? list(live.entries, 'Nothing rated during the latest live.') : 'No TikTok LIVE yet.',
      },
      { name: 'Last 7 days', value: list(week, 'Nothing rated in the last 7 days.') },
      { name: 'All time', value: list(ever, 'Nothing rated yet.') },
    );
    await interaction.reply({ embeds: [embed], allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral });
  },
};
