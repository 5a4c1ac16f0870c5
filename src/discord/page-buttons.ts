import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type InteractionUpdateOptions } from 'discord.js';
import { UserFacingError } from '../domain/errors.js';
import type { Queryable } from '../storage/connect.js';
import type { Access, ComponentHandler } from './module.js';

/**
 * Previous / Next under a paged view. Each button carries the page it shows (`<prefix>:<page>`), so a
 * click needs no state kept anywhere: the handler redraws that page.
 */
export function pageButtons(
  prefix: string,
  page: number,
  pages: number,
  /** What else the view needs to redraw a page (a filter), appended after the page as `:<arg>…`. */
  suffix = '',
): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`${prefix}:${page - 1}${suffix}`)
      .setLabel('Previous')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page <= 1),
    new ButtonBuilder()
      .setCustomId(`${prefix}:${page + 1}${suffix}`)
      .setLabel('Next')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page >= pages),
  );
}

export interface PagedView {
  prefix: string;
  access: Access;
  /** The command that shows the view, named when a button no longer works. */
  command: string;
  /** Page `page` (1-based); `clamp` shows the last page instead of refusing one past it. */
  render(db: Queryable, guildId: string, page: number, options: { clamp: boolean }): Promise<PageMessage>;
}

type PageMessage = Pick<InteractionUpdateOptions, 'embeds' | 'components' | 'allowedMentions'>;

/**
 * The handler of the buttons `pageButtons` draws: redraws the same message with the page a button
 * carries. A stale button, after the view shrank, shows the last page.
 */
export function pageButtonHandler(view: PagedView): ComponentHandler {
  return {
    prefix: view.prefix,
    access: view.access,
    async handle(interaction, args, ctx) {
      const page = Number(args[0]);
      if (!interaction.isButton() || !Number.isSafeInteger(page)) {
        throw new UserFacingError('not_found', `This button no longer works; use ${view.command} instead.`);
      }
      await interaction.update(
        await view.render(ctx.database.db, interaction.guildId, page, { clamp: true }),
      );
    },
  };
}
