import path from 'node:path';
import type { Config } from '../../config.js';
import type { Job } from '../../jobs/job.js';
import type { Logger } from '../../logging/logger.js';
import { writeBackup } from '../../storage/backup.js';

export const BACKUP_PERIOD_MS = 60 * 60_000;

export function backupsDirOf(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'backups');
}

/** Hourly, once across all processes: read in the claiming transaction, so one snapshot per hour. */
export function backupJob(config: Pick<Config, 'dataDir'>, logger: Logger): Job {
  return {
    name: 'backup',
    periodMs: BACKUP_PERIOD_MS,
    runs: 'once-per-period',
    async run({ db }) {
      const result = await writeBackup(db, backupsDirOf(config));
      logger.info(
        {
          file: path.basename(result.file),
          userPoints: result.userPoints,
          tiktokAccounts: result.tiktokAccounts,
        },
        'backup written',
      );
    },
  };
}
