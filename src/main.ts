import { ConfigError, loadConfig, loadDotEnv, requireDiscordToken } from './config.js';
import { createDiscordClient, loginAndWait } from './discord/client.js';
import { createLogger } from './logging/logger.js';
import { openDatabase } from './storage/open.js';

// Wiring only: every rule lives in a module that this file starts and stops.
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const client = createDiscordClient({ apiUrl: config.discordApiUrl });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await client.destroy();
    await database.close();
    logger.info('stopped');
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await loginAndWait(client, { token, apiUrl: config.discordApiUrl, logger });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Cannot start: configuration problem\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
  } else if (error instanceof Error && error.name === 'DataDirLockedError') {
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error('Cannot start:', error);
  }
  process.exit(1);
});
