import path from 'node:path';
import { writeBackup } from '../storage/backup.js';
import { runWithDatabase } from './run-cli.js';

/** `music-review-bot backup`: one JSON backup of balances and linked accounts, now. */
export async function run(): Promise<void> {
  await runWithDatabase(async (database, config) => {
    const result = await writeBackup(database.db, path.join(config.dataDir, 'backups'));
    console.log(
      `Wrote ${result.file}: ${result.userPoints} user balances, ${result.tiktokAccounts} TikTok accounts.`,
    );
  });
}
