import { SlashCommandBuilder } from 'discord.js';
import type { AdminSubcommand, SlashCommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { recordAudit } from '../../storage/audit-repo.js';
import { endGuildSessions, storeSignIn } from '../../storage/studio-sessions-repo.js';
import { serverUrl } from '../overlay/page-links.js';
import { issueSecret, SIGN_IN_TTL_MS } from './studio-auth.js';
import { studioStreamKey } from './studio-routes.js';

/**
 * `/studio`: a personal sign-in link to the web studio, shown only to the reviewer who asked. The
 * link works once, within 10 minutes, and only for them; the studio's Now reviewing posts go to the
 * channel it was asked in.
 */
export const studioCommand: SlashCommand = {
  access: 'reviewer',
  data: new SlashCommandBuilder()
    .setName('studio')
    .setDescription('Get a sign-in link to the web studio, where you review the queue in your browser')
    .toJSON(),
  async execute(interaction, ctx) {
    const base = serverUrl(ctx);
    const signIn = issueSecret();
    await storeSignIn(
      ctx.database.db,
      { guildId: interaction.guildId, memberId: interaction.user.id, channelId: interaction.channelId },
      signIn.sha256,
      SIGN_IN_TTL_MS,
    );
    // Angle brackets keep Discord from previewing the link.
    await replyPrivately(
      interaction,
      `Your studio sign-in link: <${base}/studio/sign-in/${signIn.token}>\n` +
        'It works once, within 10 minutes, and only for you: do not share it. ' +
        'Songs you take in the studio are posted in this channel.',
    );
  },
};

/** `/admin studio sign-out-everyone`: ends every studio session of the server at once. */
export function studioAdminSubcommands(streams: () => PageEventStreams): AdminSubcommand[] {
  return [
    {
      group: { name: 'studio', description: 'The reviewers’ web studio' },
      name: 'sign-out-everyone',
      description: 'Sign every reviewer out of the web studio now; they need a new /studio link',
      async execute(interaction, ctx) {
        const ended = await endGuildSessions(ctx.database.db, interaction.guildId);
        for (const session of ended) streams().revoke(studioStreamKey(session));
        await recordAudit(ctx.database.db, {
          guildId: interaction.guildId,
          actorId: interaction.user.id,
          action: 'config_set',
          details: { key: 'studio_sessions', to: 'signed out' },
        });
        await replyPrivately(
          interaction,
          ended.length === 0
            ? 'Nobody was signed in to the studio. Unused sign-in links no longer work either.'
            : `Signed ${ended.length} studio ${ended.length === 1 ? 'session' : 'sessions'} out. Unused sign-in links no longer work either.`,
        );
      },
    },
  ];
}
