import { AttachmentBuilder, MessageFlags } from 'discord.js';
import { exportSession, loadSessionOverview } from '../../analytics/export-session.js';
import { parseSessionRef } from '../../analytics/session-metrics.js';
import { memorySink, reportFileNames } from '../../analytics/session-report.js';
import { UserFacingError } from '../../domain/errors.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { pageButtonHandler } from '../../discord/page-buttons.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import { sessionSummaryEmbed } from './session-embed.js';
import { SESSIONS_PAGE_PREFIX, sessionsListMessage } from './sessions-list-view.js';

const GROUP = { name: 'metrics', description: 'Analytics of the TikTok live sessions' };

/**
 * Discord refuses uploads over 10 MiB in servers without boosts. A session with that many viewers is
 * exported with the CLI instead; the embed and the chart still come.
 */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export const sessionMetricsSubcommand: AdminSubcommand = {
  group: GROUP,
  name: 'session',
  description: 'Figures, per-viewer CSV and JSON, and a timeline chart of one live session',
  options: (b) =>
    b.addStringOption((o) =>
      o.setName('session').setDescription('Session id, or "latest"').setRequired(true).setMaxLength(20),
    ),
  async execute(interaction, ctx) {
    const ref = parseSessionRef(interaction.options.getString('session', true));
    if (ref === null) {
      throw new UserFacingError(
        'not_found',
        'Give a session id (a number from /admin metrics sessions) or latest.',
      );
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const db = ctx.database.db;
    const overview = await loadSessionOverview(db, interaction.guildId, ref);
    const csv = memorySink();
    const json = memorySink();
    const { chart, reviewsCsv } = await exportSession(db, overview, { csv, json });
    const names = reportFileNames(overview.summary.session.id);
    const [csvData, jsonData] = [csv.buffer(), json.buffer()];
    const tooLarge = Math.max(csvData.length, jsonData.length) > MAX_UPLOAD_BYTES;
    const data = [
      new AttachmentBuilder(csvData, { name: names.csv }),
      new AttachmentBuilder(jsonData, { name: names.json }),
    ];
    await interaction.editReply({
      content: tooLarge
        ? 'The per-viewer files are too large for Discord; export them with ' +
          `\`npm run export -- --guild ${interaction.guildId} --session ${overview.summary.session.id} --out <folder>\`.`
        : '',
      embeds: [sessionSummaryEmbed(overview.summary)],
      // The reviews CSV is small (one line per song rated during the live): it always comes.
      files: [
        ...(tooLarge ? [] : data),
        new AttachmentBuilder(Buffer.from(reviewsCsv, 'utf8'), { name: names.reviewsCsv }),
        new AttachmentBuilder(chart, { name: names.chart }),
      ],
      allowedMentions: NO_MENTIONS,
    });
  },
};

export const sessionsListSubcommand: AdminSubcommand = {
  group: GROUP,
  name: 'sessions',
  description: 'The live sessions recorded in this server, newest first',
  options: (b) =>
    b.addIntegerOption((o) =>
      o.setName('page').setDescription('Page number (10 sessions a page)').setMinValue(1),
    ),
  async execute(interaction, ctx) {
    const page = interaction.options.getInteger('page') ?? 1;
    const view = await sessionsListMessage(ctx.database.db, interaction.guildId, page);
    await interaction.reply({ ...view, flags: MessageFlags.Ephemeral });
  },
};

/** Previous / Next under a sessions page: redraws the same (private) message with that page. */
export const sessionsPageButtons = pageButtonHandler({
  prefix: SESSIONS_PAGE_PREFIX,
  access: 'admin',
  command: '/admin metrics sessions',
  render: sessionsListMessage,
});
