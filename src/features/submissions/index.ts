import type { BotModule, ModuleScope } from '../../discord/module.js';
import { detectSubmission } from './passive-detection.js';
import { portalHandlers, portalSubcommand } from './portal.js';
import { submitCommand } from './submit-command.js';

/** Viewers submit songs: /submit, links pasted in the submission channel, and the portal. */
export function submissionsModule(): BotModule {
  let scope: ModuleScope | undefined;
  return {
    name: 'submissions',
    commands: [submitCommand],
    adminSubcommands: [portalSubcommand],
    components: portalHandlers,
    messageListeners: [
      async (message, ctx) => {
        if (scope) await detectSubmission(message, ctx, scope);
      },
    ],
    start(_ctx, moduleScope) {
      scope = moduleScope;
    },
  };
}
