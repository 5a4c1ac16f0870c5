import type { BotModule } from '../../discord/module.js';
import { auditSubcommand } from './audit-command.js';
import { channelSettingSubcommands } from './channel-settings.js';
import { configSetSubcommand, configShowSubcommand } from './config-commands.js';

/** Server setup for admins: channels, reviewer role, queue settings, and the audit log. */
export function adminModule(): BotModule {
  return {
    name: 'admin',
    adminSubcommands: [
      ...channelSettingSubcommands,
      configShowSubcommand,
      configSetSubcommand,
      auditSubcommand,
    ],
  };
}
