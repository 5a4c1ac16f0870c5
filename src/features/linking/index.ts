import type { BotModule } from '../../discord/module.js';
import { forceLinkSubcommand } from './force-link.js';
import { linkCommand } from './link-command.js';
import { unlinkCommand } from './unlink-command.js';

/** Members link their TikTok account, so live gifts and likes count toward their Discord balance. */
export function linkingModule(): BotModule {
  return {
    name: 'linking',
    commands: [linkCommand, unlinkCommand],
    adminSubcommands: [forceLinkSubcommand],
  };
}
