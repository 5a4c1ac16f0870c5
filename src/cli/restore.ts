import { restoreBackup } from '../storage/backup.js';
import { runWithDatabase } from './run-cli.js';

const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run restore -- <backup file>');
  process.exit(2);
}
await runWithDatabase(async (database) => {
  const result = await restoreBackup(database.db, file);
  console.log(
    `Restored ${result.userPoints} user balances and ${result.tiktokAccounts} TikTok accounts from ${file}.`,
  );
});
