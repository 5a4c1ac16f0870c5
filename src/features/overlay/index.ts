import type { BotModule } from '../../discord/module.js';
import { httpRoutesFor } from '../../http/routes.js';
import { PageEventStreams } from '../../overlay/page-event-streams.js';
import { playerView, publicView, queueView, type SubmitterName } from '../../overlay/page-views.js';
import { overlayAdminSubcommands } from './overlay-commands.js';
import { overlayRoutes } from './overlay-routes.js';
import { playerCommand } from './player-command.js';
import { playerRoutes } from './player-routes.js';
import { publicPageAdminSubcommands } from './public-page-commands.js';
import { publicPageRoutes } from './public-page-routes.js';

export interface OverlayOptions {
  /** A comment on every open stream this often, so proxies keep it open and dead clients show. */
  heartbeatMs?: number;
  /** Overlay and player pages one guild may have open at once (each OBS scene holds one). */
  maxStreamsPerGuild?: number;
  /**
   * Public queue pages one guild may have open at once. Counted apart from the overlay and player
   * pages, so a crowd of viewers can never lock the streamer's own pages out.
   */
  maxPublicStreamsPerGuild?: number;
  /**
   * How often open pages are checked against their URL: a token replaced in another process, or a
   * reviewer who lost the role, ends the page within this time (in this process it ends at once).
   */
  recheckMs?: number;
  /** Every open page is re-rendered this often, whatever was (or was not) announced. */
  safetyNetMs?: number;
}

/**
 * Web pages over the queue, each behind a secret URL: the stream overlay (`/admin overlay`), each
 * reviewer's player (`/player`) and, when an admin turns it on, the public queue page
 * (`/admin public-page`). All update live from the queue-change feed (every process's committed
 * changes), with a periodic safety net.
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
    commands: [playerCommand(() => running().pages)],
    adminSubcommands: [
      ...overlayAdminSubcommands(() => running().pages),
      ...publicPageAdminSubcommands(() => running().publicPages),
    ],
    start(ctx, scope) {
      const db = ctx.database.db;
      const submitterName: SubmitterName = (guildId, userId) =>
        ctx.client.guilds.cache.get(guildId)?.members.cache.get(userId)?.displayName ??
        ctx.client.users.cache.get(userId)?.displayName ??
        'a viewer';
      const streamsWith = (maxPerGuild: number) =>
        new PageEventStreams({
          maxPerGuild,
          render: (guildId, view) =>
            view.page === 'overlay'
              ? queueView(db, guildId, view.upNext)
              : view.page === 'player'
                ? playerView(db, guildId)
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
        scope.onStop(() => pages.close());
        scope.onStop(ctx.queueEvents.onChanged((guildId) => pages.refresh(guildId)));
        scope.onStop(ctx.queueEvents.onResync(() => pages.refreshAll()));
        // Safety net, as for the embeds: open pages are re-rendered (sent only when they differ).
        scope.setInterval(() => pages.refreshAll(), safetyNetMs);
        scope.setInterval(() => pages.heartbeat(), heartbeatMs);
        let rechecking = false;
        scope.setInterval(() => {
          if (rechecking) return;
          rechecking = true;
          void pages.recheck().finally(() => (rechecking = false));
        }, recheckMs);
      }
      const routes = httpRoutesFor(ctx);
      for (const route of [
        ...overlayRoutes(db, started.pages),
        ...playerRoutes(ctx, started.pages),
        ...publicPageRoutes(db, started.publicPages),
      ])
        scope.onStop(routes.add(route));
    },
  };
}
