import type { BotModule } from '../../discord/module.js';
import { healthReportsFor } from '../../http/health-reports.js';
import { httpRoutesFor } from '../../http/routes.js';
import { tiktokWebhookRoute } from '../../http/tiktok-webhook.js';
import { tiktokAdminSubcommands } from './admin-commands.js';
import { resolveTikTokOptions, type TikTokModuleOptions } from './options.js';
import { TikTokLives } from './tiktok-lives.js';
import { watchTimeJob } from './watch-time-job.js';

/**
 * TikTok LIVE: per-guild connections (`/admin tiktok …`), ingestion of engagement into points, coins,
 * watch time and gift skips, session summaries, and the relay webhook.
 */
export function tiktokModule(moduleOptions: TikTokModuleOptions = {}): BotModule {
  const options = resolveTikTokOptions(moduleOptions);
  let lives: TikTokLives | undefined;
  const running = (): TikTokLives => {
    if (!lives) throw new Error('the tiktok module is not started');
    return lives;
  };
  return {
    name: 'tiktok',
    adminSubcommands: tiktokAdminSubcommands(running),
    async start(ctx, scope) {
      const started = new TikTokLives(ctx, options);
      lives = started;
      scope.onStop(() => started.stopAll());
      scope.onStop(
        healthReportsFor(ctx).add({ name: 'tiktok', report: () => ({ guilds: started.connectionStates() }) }),
      );
      scope.setInterval(() => started.tick(), options.flushIntervalMs);
      ctx.scheduler.add(watchTimeJob(options.watchTickMs), scope);
      const secret = ctx.config.tiktokWebhookSecret;
      if (secret) {
        // Removed before the lives stop (stop hooks run in reverse), so no relay arrives mid-shutdown.
        scope.onStop(
          httpRoutesFor(ctx).add(tiktokWebhookRoute({ secret, sink: (g, e) => started.relay(g, e) })),
        );
      }
      scope.setInterval(() => void started.syncLeasesLogged(), options.leaseRenewMs);
      await started.start();
    },
  };
}
