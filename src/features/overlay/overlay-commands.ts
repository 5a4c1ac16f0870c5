import type { AdminSubcommand, BotContext } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { DEFAULT_UP_NEXT, MAX_UP_NEXT } from '../../overlay/page-views.js';
import type { PageSlot } from '../../storage/overlay-repo.js';
import { pageLink, replacePageLink } from './page-links.js';

const group = { name: 'overlay', description: 'The stream overlay: a browser source showing the queue' };
const overlaySlot = (guildId: string): PageSlot => ({ guildId, page: 'overlay', ownerId: '' });

/** Angle brackets keep Discord from trying to preview the link. */
const howToUse = (url: string) =>
  `Stream overlay: <${url}>\n` +
  `Add it as a browser source in OBS or TikTok LIVE Studio at 1920×1080. It shows the song being reviewed and the next ${DEFAULT_UP_NEXT}; add \`?n=10\` to the URL for more (up to ${MAX_UP_NEXT}).\n` +
  'Anyone with this link sees the queue: keep it off screen. `/admin overlay rotate` replaces it.';

/** The overlay's URL (drawn the first time) and how to use it, as `/admin overlay url` gives it. */
export async function overlayLinkMessage(ctx: BotContext, guildId: string): Promise<string> {
  return howToUse(await pageLink(ctx, overlaySlot(guildId)));
}

export function overlayAdminSubcommands(streams: () => PageEventStreams): AdminSubcommand[] {
  return [
    {
      group,
      name: 'url',
      description: 'Show the secret URL of the stream overlay',
      async execute(interaction, ctx) {
        await replyPrivately(interaction, await overlayLinkMessage(ctx, interaction.guildId));
      },
    },
    {
      group,
      name: 'rotate',
      description: 'Replace the overlay URL; the old one stops working at once',
      async execute(interaction, ctx) {
        const slot = overlaySlot(interaction.guildId);
        const url = await replacePageLink(ctx, streams(), slot, interaction.user.id);
        await replyPrivately(
          interaction,
          `The old overlay URL no longer works; update your browser source.\n${howToUse(url)}`,
        );
      },
    },
  ];
}
