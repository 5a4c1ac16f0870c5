import type { BotModule } from '../../discord/module.js';
import { httpRoutesFor } from '../../http/routes.js';
import { PageEventStreams } from '../../overlay/page-event-streams.js';
import { publicView, queueView, submitterNames } from '../../overlay/page-views.js';
import { overlayAdminSubcommands } from './overlay-commands.js';
import { overlayRoutes } from './overlay-routes.js';
import { keepStreamsCurrent, type PageStreamTimings } from './page-stream-upkeep.js';
import { publicPageAdminSubcommands } from './public-page-commands.js';
import { publicPageRoutes } from './public-page-routes.js';

export interface OverlayOptions extends Partial<PageStreamTimings> {
  /** Overlay pages one guild may have open at once (each OBS scene holds one). */
  maxStreamsPerGuild?: number;
  /**
   * Public queue pages one guild may have open at once. Counted apart from the overlay pages, so a
   * crowd of viewers can never lock the streamer's own pages out.
   */
  maxPublicStreamsPerGuild?: number;
}

/**
 * Web pages over the queue, each behind a secret URL: the stream overlay (`/admin overlay`) and, when
 * an admin turns it on, the public queue page (`/admin public-page`). Both update live from the
 * queue-change feed (every process's committed changes), with a periodic safety net. The reviewers'
 * studio is its own module (features/studio).
 */
export function overlayModule(options: OverlayOptions = {}): BotModule {
  const {
    heartbeatMs = 15_000,
    maxStreamsPerGuild = 10,
    maxPublicStreamsPerGuild = 200,
    recheckMs = 30_000,
    safetyNetMs = 10_000,
  } = options;
  let streams: { pages: PageEventStreams; publicPages: PageEventStreams } | undefined;
  const running = () => {
    if (!streams) throw new Error('the overlay module is not started');
    return streams;
  };
  return {
    name: 'overlay',
    adminSubcommands: [
      ...overlayAdminSubcommands(() => running().pages),
      ...publicPageAdminSubcommands(() => running().publicPages),
    ],
    start(ctx, scope) {
      const db = ctx.database.db;
      const submitterName = submitterNames(ctx.client);
      const streamsWith = (maxPerGuild: number) =>
        new PageEventStreams({
          maxPerGuild,
          render: (guildId, view) =>
            view.page === 'overlay'
              ? queueView(db, guildId, view.upNext)
              : publicView(db, guildId, submitterName),
          onRenderError: (error, guildId) =>
            ctx.logger.warn({ err: error, guildId }, 'could not render a page update'),
          onRecheckError: (error, guildId) =>
            ctx.logger.warn({ err: error, guildId }, 'could not check an open page against its URL'),
        });
      const started = {
        pages: streamsWith(maxStreamsPerGuild),
        publicPages: streamsWith(maxPublicStreamsPerGuild),
      };
      streams = started;
      for (const pages of [started.pages, started.publicPages]) {
        keepStreamsCurrent(ctx, scope, pages, { heartbeatMs, recheckMs, safetyNetMs });
      }
      const routes = httpRoutesFor(ctx);
      for (const route of [...overlayRoutes(db, started.pages), ...publicPageRoutes(db, started.publicPages)])
        scope.onStop(routes.add(route));
    },
  };
}
