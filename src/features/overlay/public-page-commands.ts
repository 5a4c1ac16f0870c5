import type { AdminSubcommand, BotContext } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import type { PageEventStreams } from '../../overlay/page-event-streams.js';
import { recordAudit } from '../../storage/audit-repo.js';
import { existingPageToken } from '../../storage/overlay-repo.js';
import { pageLink, publicPageSlot, removePageLink, replacePageLink } from './page-links.js';

const group = {
  name: 'public-page',
  description: 'A read-only web page of the queue that anyone with the link can open',
};

/** Angle brackets keep Discord from trying to preview the link. */
const howToUse = (url: string) =>
  `Public queue page: <${url}>\n` +
  'Anyone with this link sees the song being reviewed, the queue with who sent each song (by server nickname), and the songs played last with their scores. `/queue` shows the link to everyone.\n' +
  '`/admin public-page rotate` replaces the link (the old one stops working, e.g. to shake off a scraper); `/admin public-page off` takes the page down.';

async function switchOn(ctx: BotContext, guildId: string, actorId: string): Promise<string> {
  const slot = publicPageSlot(guildId);
  const wasOn = (await existingPageToken(ctx.database.db, slot)) !== null;
  const url = await pageLink(ctx, slot);
  if (!wasOn) {
    await recordAudit(ctx.database.db, {
      guildId,
      actorId,
      action: 'config_set',
      details: { key: 'public_url', to: 'on' },
    });
  }
  return url;
}

/** `/admin public-page on|off|rotate`: the page exists only while it is on. */
export function publicPageAdminSubcommands(streams: () => PageEventStreams): AdminSubcommand[] {
  return [
    {
      group,
      name: 'on',
      description: 'Turn the public queue page on (or show its link if it is on)',
      async execute(interaction, ctx) {
        const url = await switchOn(ctx, interaction.guildId, interaction.user.id);
        await replyPrivately(interaction, howToUse(url));
      },
    },
    {
      group,
      name: 'off',
      description: 'Take the public queue page down; its link stops working at once',
      async execute(interaction, ctx) {
        const slot = publicPageSlot(interaction.guildId);
        const wasOn = await removePageLink(ctx, streams(), slot, interaction.user.id);
        await replyPrivately(
          interaction,
          wasOn
            ? 'The public queue page is off; its link no longer works. `/admin public-page on` gives it a new link.'
            : 'The public queue page was already off.',
        );
      },
    },
    {
      group,
      name: 'rotate',
      description: 'Give the public queue page a new link; the old one stops working at once',
      async execute(interaction, ctx) {
        const slot = publicPageSlot(interaction.guildId);
        // A page that is off stays off: rotating must not publish it.
        if ((await existingPageToken(ctx.database.db, slot)) === null) {
          await replyPrivately(
            interaction,
            'The public queue page is off, so it has no link to replace. `/admin public-page on` turns it on.',
          );
          return;
        }
        const url = await replacePageLink(ctx, streams(), slot, interaction.user.id);
        await replyPrivately(interaction, `The old link no longer works.\n${howToUse(url)}`);
      },
    },
  ];
}
