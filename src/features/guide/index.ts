import type { BotModule } from '../../discord/module.js';
import { aboutCommand } from './about-command.js';
import { helpCommand } from './help-command.js';
import { setupCommand, setupHandler } from './setup-wizard.js';

/** Finding one's way: /help (by role), /about (version and source), and the /setup wizard. */
export function guideModule(): BotModule {
  return {
    name: 'guide',
    commands: [helpCommand, aboutCommand, setupCommand],
    components: [setupHandler],
  };
}
