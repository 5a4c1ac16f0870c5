import type { BotModule } from '../../discord/module.js';
import { httpRoutesFor } from '../../http/routes.js';
import { PageEventStreams } from '../../overlay/page-event-streams.js';
import { submitterNames } from '../../overlay/page-views.js';
import { studioView } from '../../overlay/studio-view.js';
import { keepStreamsCurrent, type PageStreamTimings } from '../overlay/page-stream-upkeep.js';
import { settingsRoutes } from './settings-routes.js';
import { studioAdminSubcommands, studioCommand } from './studio-command.js';
import { DEFAULT_STUDIO_LIMITS, studioRoutes, type StudioLimits } from './studio-routes.js';

export interface StudioOptions extends Partial<PageStreamTimings> {
  /** Studio pages one guild may have open at once. */
  maxStreamsPerGuild?: number;
  limits?: StudioLimits;
}

/**
 * The reviewers' web studio: `/studio` gives a one-time sign-in link; the studio shows the song
 * under review and the queue, live, and runs every reviewer action through the same code as the
 * slash commands.
 */
export function studioModule(options: StudioOptions = {}): BotModule {
  const {
    heartbeatMs = 15_000,
    recheckMs = 30_000,
    safetyNetMs = 10_000,
    maxStreamsPerGuild = 50,
    limits = DEFAULT_STUDIO_LIMITS,
  } = options;
  let streams: PageEventStreams | undefined;
  const running = () => {
    if (!streams) throw new Error('the studio module is not started');
    return streams;
  };
  return {
    name: 'studio',
    commands: [studioCommand],
    adminSubcommands: studioAdminSubcommands(running),
    start(ctx, scope) {
      const db = ctx.database.db;
      const names = submitterNames(ctx.client);
      const pages = new PageEventStreams({
        maxPerGuild: maxStreamsPerGuild,
        render: (guildId) => studioView(db, guildId, names),
        onRenderError: (error, guildId) =>
          ctx.logger.warn({ err: error, guildId }, 'could not render the studio'),
        onRecheckError: (error, guildId) =>
          ctx.logger.warn({ err: error, guildId }, 'could not check an open studio against its session'),
      });
      streams = pages;
      keepStreamsCurrent(ctx, scope, pages, { heartbeatMs, recheckMs, safetyNetMs });
      const routes = httpRoutesFor(ctx);
      for (const route of studioRoutes(ctx, pages, limits)) scope.onStop(routes.add(route));
      for (const route of settingsRoutes(ctx, limits)) scope.onStop(routes.add(route));
    },
  };
}
