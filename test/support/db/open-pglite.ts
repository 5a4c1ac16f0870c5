// Child process for the data-directory lock test: opens the embedded database, reports, waits.
import { connectDatabase } from '../../../src/storage/connect.js';

const dir = process.argv[2] ?? '';
try {
  const database = await connectDatabase({ pgliteDir: dir });
  process.stdout.write('opened\n');
  process.stdin.resume();
  process.stdin.on('end', () => void database.close().then(() => process.exit(0)));
} catch (error) {
  process.stdout.write(`refused: ${(error as Error).message}\n`);
  process.exit(3);
}
