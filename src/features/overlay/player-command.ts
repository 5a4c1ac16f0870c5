import { SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { pageLink, replacePageLink } from './page-links.js';

const howToUse = (url: string) =>
  `Your player: <${url}>\n` +
  'Open it in your browser to hear uploaded songs, open links, and take the next song or remove this one, as yourself. ' +
  'It is yours alone: anyone with it can run the queue in your name. `/player rotate` replaces it.';

/** `/player url|rotate`: a reviewer's personal player page, shown only to them. */
export function playerCommand(streams: () => PageEventStreams): SlashCommand {
  return {
    access: 'reviewer',
    data: new SlashCommandBuilder()
      .setName('player')
      .setDescription('Your personal web player for reviewing songs')
      .addSubcommand((s) => s.setName('url').setDescription('Show the secret URL of your player'))
      .addSubcommand((s) =>
        s.setName('rotate').setDescription('Replace your player URL; the old one stops working at once'),
      )
      .toJSON(),
    async execute(interaction, ctx) {
      const slot = { guildId: interaction.guildId, page: 'player', ownerId: interaction.user.id } as const;
      if (interaction.options.getSubcommand() === 'rotate') {
        const url = await replacePageLink(ctx, streams(), slot, interaction.user.id);
        await replyPrivately(interaction, `Your old player URL no longer works.\n${howToUse(url)}`);
        return;
      }
      await replyPrivately(interaction, howToUse(await pageLink(ctx, slot)));
    },
  };
}
