import { ConfigError, loadConfig, loadDotEnv, requireDiscordToken } from '../config.js';
import { createBot } from '../discord/bot.js';
import { FEATURE_MODULES } from '../features/index.js';
import { createLogger } from '../logging/logger.js';
import { openDatabase } from '../storage/open.js';

// Wiring only: every rule lives in a module that this file starts and stops.
async function startBot(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const bot = createBot({ config, logger, database, modules: FEATURE_MODULES });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await bot.stop();
      await database.close();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exitCode = 1;
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await bot.start(token);
}

/** `music-review-bot start`: runs until SIGINT or SIGTERM; a start-up failure exits with 1. */
export async function run(): Promise<void> {
  await startBot().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`Cannot start: configuration problem\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    } else if (error instanceof Error && error.name === 'DataDirLockedError') {
      console.error(`Cannot start: ${error.message}`);
    } else {
      console.error('Cannot start:', error);
    }
    process.exit(1);
  });
}
