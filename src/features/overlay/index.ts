import type { BotModule } from '../../discord/module.js';
import { httpRoutesFor } from '../../http/routes.js';
import { PageEventStreams } from '../../overlay/page-event-streams.js';
import { playerView, queueView } from '../../overlay/page-views.js';
import { overlayAdminSubcommands } from './overlay-commands.js';
import { overlayRoutes } from './overlay-routes.js';
import { playerCommand } from './player-command.js';
import { playerRoutes } from './player-routes.js';

export interface OverlayOptions {
  /** A comment on every open stream this often, so proxies keep it open and dead clients show. */
  heartbeatMs?: number;
  /** Overlay and player pages one guild may have open at once (each OBS scene holds one). */
  maxStreamsPerGuild?: number;
  /**
   * How often open pages are checked against their URL: a token replaced in another process, or a
   * reviewer who lost the role, ends the page within this time (in this process it ends at once).
   */
  recheckMs?: number;
  /** Every open page is re-rendered this often, whatever was (or was not) announced. */
  safetyNetMs?: number;
}

/**
 * Web pages over the queue, each behind a secret URL: the stream overlay (`/admin overlay`) and each
 * reviewer's player (`/player`). Both update live from the queue-change feed (every process's
 * committed changes), with a periodic safety net.
 */
export function overlayModule(options: OverlayOptions = {}): BotModule {
  const { heartbeatMs = 15_000, maxStreamsPerGuild = 10, recheckMs = 30_000, safetyNetMs = 10_000 } = options;
  let streams: PageEventStreams | undefined;
  const running = (): PageEventStreams => {
    if (!streams) throw new Error('the overlay module is not started');
    return streams;
  };
  return {
    name: 'overlay',
    commands: [playerCommand(running)],
    adminSubcommands: overlayAdminSubcommands(running),
    start(ctx, scope) {
      const db = ctx.database.db;
      const started = new PageEventStreams({
        maxPerGuild: maxStreamsPerGuild,
        render: (guildId, view) =>
          view.page === 'overlay' ? queueView(db, guildId, view.upNext) : playerView(db, guildId),
        onRenderError: (error, guildId) =>
          ctx.logger.warn({ err: error, guildId }, 'could not render a page update'),
        onRecheckError: (error, guildId) =>
          ctx.logger.warn({ err: error, guildId }, 'could not check an open page against its URL'),
      });
      streams = started;
      scope.onStop(() => started.close());
      scope.onStop(ctx.queueEvents.onChanged((guildId) => started.refresh(guildId)));
      scope.onStop(ctx.queueEvents.onResync(() => started.refreshAll()));
      // Safety net, as for the embeds: open pages are re-rendered (sent only when they differ).
      scope.setInterval(() => started.refreshAll(), safetyNetMs);
      scope.setInterval(() => started.heartbeat(), heartbeatMs);
      let rechecking = false;
      scope.setInterval(() => {
        if (rechecking) return;
        rechecking = true;
        void started.recheck().finally(() => (rechecking = false));
      }, recheckMs);
      const routes = httpRoutesFor(ctx);
      for (const route of [...overlayRoutes(db, started), ...playerRoutes(ctx, started)])
        scope.onStop(routes.add(route));
    },
  };
}
