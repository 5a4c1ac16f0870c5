import { loadConfig, loadDotEnv, type Config } from '../config.js';
import { UserFacingError } from '../domain/errors.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { Database } from '../storage/connect.js';
import { openDatabase } from '../storage/open.js';
import { describeStartupError } from '../startup-errors.js';

/** Wrong arguments: the program prints the message and the command's usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Shared frame of the CLI commands: config, database, one readable error line, exit code. */
export async function runWithDatabase(
  task: (database: Database, config: Config, logger: Logger) => Promise<void>,
) {
  let database: Database | undefined;
  try {
    loadDotEnv();
    const config = loadConfig();
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    database = await openDatabase(config, logger);
    await task(database, config, logger);
  } catch (error) {
    // The same one-line causes as the bot's start-up, naming the setting to check.
    console.error(
      error instanceof UserFacingError
        ? error.message
        : describeStartupError(error).replace(/^Cannot start: /, ''),
    );
    process.exitCode = 1;
  } finally {
    await database?.close();
  }
}
