import { time, TimestampStyles } from 'discord.js';
import type { AdminSubcommand, BotContext } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { UserFacingError } from '../../domain/errors.js';
import { getGuildConfig, setGuildField } from '../../storage/guild-config-repo.js';
import { countSessionInteractions, findOpenSession } from '../../storage/live-sessions-repo.js';
import { findTikTokLease } from '../../storage/tiktok-leases-repo.js';
import type { TikTokConnectionLoss, TikTokProblem, TikTokSourceStatus } from '../../tiktok/connection.js';
import type { TikTokLives } from './tiktok-lives.js';

const GROUP = { name: 'tiktok', description: 'The TikTok LIVE connection' };

/** TikTok handles: 2–24 letters, digits, underscores and dots; people often paste them with the @. */
export function parseTikTokHandle(input: string): string {
  const handle = input.trim().replace(/^@/, '');
  if (!/^[A-Za-z0-9._]{2,24}$/.test(handle)) {
    throw new UserFacingError(
      'invalid_amount',
      'That is not a TikTok username: use the handle after the @ (letters, digits, _ and .), e.g. `@music.reviews`.',
    );
  }
  return handle;
}

const STATUS_TEXT: Record<TikTokSourceStatus, string> = {
  idle: 'starting',
  waiting_for_live: 'waiting for the LIVE to start',
  connecting: 'connecting',
  live: 'connected to the LIVE',
  reconnecting: 'reconnecting after a drop',
  rate_limited: 'waiting: TikTok’s connection service asked us to slow down',
  stopped: 'stopped',
};

/** The last thing that went wrong, in a streamer's words; the technical reason is in the logs. */
const PROBLEM_TEXT: Record<TikTokProblem, string> = {
  offline: 'the TikTok account is not live right now',
  stream_ended: 'the LIVE ended',
  rate_limited: 'too many connection attempts, so TikTok’s connection service asked us to wait',
  dropped: 'the connection to the LIVE dropped',
  silent: 'the LIVE stopped sending anything (not even viewer counts), so the bot reconnected',
  failed: 'could not connect to the LIVE',
};

/** Status when this process does not hold the guild's LIVE: another one may, or none yet. */
async function elsewhereStatus(ctx: BotContext, guildId: string): Promise<string> {
  const { tiktokUsername } = await getGuildConfig(ctx.database.db, guildId);
  if (tiktokUsername === null) return 'Not connected to TikTok. Use `/admin tiktok connect username:`.';
  const lease = await findTikTokLease(ctx.database.db, guildId);
  const handle = `**TikTok @${userText(tiktokUsername, 40)}**`;
  if (!lease) return `${handle}: waiting for a bot process to take up the connection (within a few seconds).`;
  const session = await findOpenSession(ctx.database.db, guildId);
  const accepted = session === null ? 0 : await countSessionInteractions(ctx.database.db, session.id);
  return [
    `${handle}: followed by another bot process (\`${userText(lease.owner, 80)}\`); its connection details are in that process.`,
    `Events recorded this session: ${accepted.toLocaleString('en-US')}` +
      (session === null ? ' (no session open)' : ''),
  ].join('\n');
}

/** A lost connection stays worth knowing after the bot reconnected: it may have missed engagement. */
function lossText(loss: TikTokConnectionLoss | null): string {
  if (!loss) return 'none';
  const when = time(loss.at, TimestampStyles.RelativeTime);
  return loss.problem === 'silent'
    ? `the LIVE went quiet (nothing arrived, not even viewer counts), so the bot reconnected ${when}`
    : `the connection dropped, so the bot reconnected ${when}`;
}

export function tiktokAdminSubcommands(lives: () => TikTokLives): AdminSubcommand[] {
  return [
    {
      group: GROUP,
      name: 'connect',
      description: 'Follow a TikTok account’s LIVEs: record engagement, points and gift skips',
      options: (b) =>
        b.addStringOption((o) =>
          o
            .setName('username')
            .setDescription('The TikTok handle, e.g. @music.reviews')
            .setRequired(true)
            .setMaxLength(40),
        ),
      async execute(interaction, ctx) {
        const handle = parseTikTokHandle(interaction.options.getString('username', true));
        await setGuildField(ctx.database.db, interaction.guildId, 'tiktokUsername', handle);
        // Connects here when no process holds the LIVE; the holder switches on its next lease round.
        await lives().syncLeases();
        await replyPrivately(
          interaction,
          `Connecting to @${userText(handle, 40)}’s TikTok LIVE. Follow it with \`/admin tiktok status\`.`,
        );
      },
    },
    {
      group: GROUP,
      name: 'disconnect',
      description: 'Stop following the TikTok LIVE (ends the current session with its summary)',
      async execute(interaction, ctx) {
        await interaction.deferReply({ flags: 'Ephemeral' });
        await setGuildField(ctx.database.db, interaction.guildId, 'tiktokUsername', null);
        // Ends it here if this process holds the LIVE; another holder ends it on its next lease round.
        await lives().syncLeases();
        await replyPrivately(
          interaction,
          'Disconnected from TikTok LIVE. Connect again with `/admin tiktok connect`.',
        );
      },
    },
    {
      group: GROUP,
      name: 'status',
      description: 'Show the TikTok LIVE connection: state, last problem, events recorded',
      async execute(interaction, ctx) {
        const live = lives().get(interaction.guildId);
        if (!live?.source) {
          await replyPrivately(interaction, await elsewhereStatus(ctx, interaction.guildId));
          return;
        }
        const { state } = live.source;
        const sessionId = live.pipeline.sessionId;
        const accepted = sessionId === null ? 0 : await countSessionInteractions(ctx.database.db, sessionId);
        const lines = [
          `**TikTok @${userText(live.source.handle, 40)}**: ${STATUS_TEXT[state.type]}`,
          `Last problem: ${state.lastProblem ? PROBLEM_TEXT[state.lastProblem] : 'none'}`,
          `Last reconnect: ${lossText(state.lastLoss)}`,
          `Next attempt: ${state.nextAttemptAt ? time(state.nextAttemptAt, TimestampStyles.RelativeTime) : 'none planned'}`,
          `Events recorded this session: ${accepted.toLocaleString('en-US')}` +
            (sessionId === null ? ' (no session open)' : ''),
          `Followed by: this bot process (\`${lives().owner}\`)`,
        ];
        await replyPrivately(interaction, lines.join('\n'));
      },
    },
  ];
}
