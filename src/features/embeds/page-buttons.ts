import { UserFacingError } from '../../domain/errors.js';
import type { ComponentHandler } from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import { setEmbedPage } from '../../storage/embed-configs-repo.js';
import { embedUnderComponent } from './embed-under-component.js';
import { loadEmbedView } from './queue-view.js';
import { contentHash, PAGE_BUTTON_PREFIX, renderEmbedMessage } from './render.js';

/**
 * Previous / next on an embed: the message itself turns to the page (everyone watching sees the
 * same page), and the page is stored so later refreshes keep showing it.
 */
export const pageButtons: ComponentHandler = {
  prefix: PAGE_BUTTON_PREFIX,
  access: 'everyone',
  async handle(interaction, args, ctx) {
    if (!interaction.isButton()) return;
    const db = ctx.database.db;
    const config = await embedUnderComponent(db, interaction, args[0]);
    const page = Number(args[1]);
    if (!Number.isSafeInteger(page))
      throw new UserFacingError('not_found', 'This queue message no longer updates.');
    const view = await loadEmbedView(db, { ...config, page });
    const message = renderEmbedMessage(view);
    await interaction.update({ ...message, allowedMentions: NO_MENTIONS });
    await setEmbedPage(db, config.id, view.page, contentHash(message));
  },
};
