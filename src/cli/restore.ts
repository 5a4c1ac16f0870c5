import { restoreBackup } from '../storage/backup.js';
import { runWithDatabase, UsageError } from './run-cli.js';

/** `music-review-bot restore <file>`: validates the whole file, then restores it in one transaction. */
export async function run(argv: string[]): Promise<void> {
  const [file, ...extra] = argv;
  if (!file || extra.length)
    throw new UsageError(file ? `Unexpected argument: ${extra[0]}.` : 'Give the backup file to restore.');
  await runWithDatabase(async (database) => {
    const result = await restoreBackup(database.db, file);
    console.log(
      `Restored ${result.userPoints} user balances and ${result.tiktokAccounts} TikTok accounts from ${file}.`,
    );
  });
}
