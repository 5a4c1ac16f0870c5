import type { BotModule } from '../discord/module.js';
import { healthzRoute } from './healthz.js';
import { httpRoutesFor } from './routes.js';
import { startHttpServer } from './server.js';

/**
 * Serves `/healthz` and the HTTP routes of the other modules (the TikTok relay webhook, the overlay,
 * studio and public queue pages) on HTTP_HOST:HTTP_PORT (every interface when HTTP_HOST is unset). Paths nobody
 * serves answer 404.
 */
export function httpModule(): BotModule {
  return {
    name: 'http',
    async start(ctx, scope) {
      const routes = httpRoutesFor(ctx);
      scope.onStop(routes.add(healthzRoute(ctx)));
      const server = await startHttpServer(routes, {
        host: ctx.config.httpHost,
        port: ctx.config.httpPort,
        logger: ctx.logger,
      });
      routes.url = server.url;
      ctx.logger.info(
        { url: server.url, host: ctx.config.httpHost ?? 'all interfaces' },
        'http server listening',
      );
      scope.onStop(async () => {
        routes.url = null;
        await server.close();
      });
    },
  };
}
