import type { BotModule, ModuleScope } from '../../discord/module.js';
import { DEFAULT_DOWNLOAD, type DownloadOptions } from './audio-upload.js';
import { LinkNameLookup, type LinkNameOptions } from './link-names.js';
import { detectSubmission, HYGIENE_NOTICE_MS } from './passive-detection.js';
import { portalHandlers, portalSubcommand } from './portal.js';
import { submitCommand } from './submit-command.js';

export interface SubmissionsOptions {
  /** How long a file download from Discord's CDN may take in all. */
  download?: DownloadOptions;
  /** How long channel hygiene's notice stays before the bot deletes it. */
  hygieneNoticeMs?: number;
  /** Naming pasted links from their platform (when LINK_NAMES is on): endpoints, deadline, cache. */
  linkNames?: LinkNameOptions;
}

/** Viewers submit songs: /submit, links pasted in the submission channel, and the portal. */
export function submissionsModule(options: SubmissionsOptions = {}): BotModule {
  const hygieneNoticeMs = options.hygieneNoticeMs ?? HYGIENE_NOTICE_MS;
  let scope: ModuleScope | undefined;
  let linkNames: LinkNameLookup | undefined;
  return {
    name: 'submissions',
    commands: [submitCommand(options.download ?? DEFAULT_DOWNLOAD)],
    adminSubcommands: [portalSubcommand],
    components: portalHandlers,
    messageListeners: [
      async (message, ctx) => {
        if (scope) await detectSubmission(message, ctx, scope, { hygieneNoticeMs, linkNames });
      },
    ],
    start(ctx, moduleScope) {
      scope = moduleScope;
      if (ctx.config.linkNames) linkNames = new LinkNameLookup(options.linkNames ?? {}, ctx.logger);
      moduleScope.onStop(() => linkNames?.clear());
    },
  };
}
