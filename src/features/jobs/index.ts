import type { BotModule } from '../../discord/module.js';
import { backupNowSubcommand } from './backup-command.js';
import { backupJob } from './backup-job.js';
import { pgliteVacuumJob } from './pglite-vacuum-job.js';
import { scoreSyncJob } from './score-sync-job.js';

/**
 * The bot's housekeeping: score sync every 30 s and hourly backups, each once across processes;
 * on embedded PGlite, the vacuum its missing autovacuum would do.
 */
export function jobsModule(): BotModule {
  return {
    name: 'jobs',
    adminSubcommands: [backupNowSubcommand],
    start(ctx, scope) {
      ctx.scheduler.add(scoreSyncJob(), scope);
      ctx.scheduler.add(backupJob(ctx.config, ctx.logger), scope);
      if (ctx.database.kind === 'pglite') ctx.scheduler.add(pgliteVacuumJob(), scope);
    },
  };
}
