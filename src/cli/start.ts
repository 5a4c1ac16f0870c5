import { loadConfig, loadDotEnv, requireDiscordToken } from '../config.js';
import { createBot } from '../discord/bot.js';
import { FEATURE_MODULE_CODE, FEATURE_MODULES } from '../features/index.js';
import { createLogger } from '../logging/logger.js';
import { stopOnSignals } from '../shutdown.js';
import { describeStartupError } from '../startup-errors.js';
import { openDatabase } from '../storage/open.js';

// Wiring only: every rule lives in a module that this file starts and stops.
async function startBot(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger, { keepPoolFull: true });
  const bot = createBot({
    config,
    logger,
    database,
    modules: FEATURE_MODULES,
    moduleCode: FEATURE_MODULE_CODE,
  });

  stopOnSignals({
    logger,
    async stop() {
      await bot.stop();
      await database.close();
    },
  });

  await bot.start(token);
}

/** `music-review-bot start`: runs until SIGINT or SIGTERM; a start-up failure exits with 1 and one line. */
export async function run(): Promise<void> {
  await startBot().catch((error: unknown) => {
    console.error(describeStartupError(error));
    process.exit(1);
  });
}
