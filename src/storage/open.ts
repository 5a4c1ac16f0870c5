import path from 'node:path';
import type { Config } from '../config.js';
import { redactUrl, type Logger } from '../logging/logger.js';
import { connectDatabase, type Database } from './connect.js';
import { migrate } from './migrate.js';

/**
 * Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite) and migrates it.
 * The bot keeps its whole pool open (`keepPoolFull`); the one-shot commands open what they use.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { keepPoolFull?: boolean } = {},
): Promise<Database> {
  const pgliteDir = path.join(config.dataDir, 'db');
  logger.info(
    config.databaseUrl
      ? { database: redactUrl(config.databaseUrl) }
      : { database: 'embedded PGlite', dir: pgliteDir },
    'opening database',
  );
  const database = await connectDatabase({
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    keepPoolFull: options.keepPoolFull,
    pgliteDir,
    onPoolError: (error) =>
      logger.warn({ err: error.message }, 'database connection lost; the pool reconnects'),
  });
  try {
    const applied = await migrate(database);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
