import { Events, type Client } from 'discord.js';
import type { Config } from '../config.js';
import type { Logger } from '../logging/logger.js';
import { Scheduler } from '../jobs/scheduler.js';
import { startQueueChangeFeed } from '../queue-changes/feed.js';
import type { Database } from '../storage/connect.js';
import { createDiscordClient, DISCORD_API_URL_DEFAULT, DiscordStartError, loginAndWait } from './client.js';
import { logGatewayConnection } from './gateway-connection.js';
import { ModuleCode, type ModuleCodeLocation } from './module-code.js';
import type { BotContext, ModuleFactory } from './module.js';
import { QueueEvents } from './queue-events.js';
import { ModuleRegistry } from './registry.js';

export interface Bot {
  client: Client;
  registry: ModuleRegistry;
  ctx: BotContext;
  start(token: string): Promise<void>;
  stop(): Promise<void>;
}

/** The Discord side of the app: a client, the feature modules, and their lifecycle. */
export function createBot(options: {
  config: Config;
  logger: Logger;
  database: Database;
  modules: ReadonlyMap<string, ModuleFactory>;
  /** Where the modules' code lives, so `/admin reload` can load changed files (from the build). */
  moduleCode?: ReadonlyMap<string, ModuleCodeLocation>;
}): Bot {
  const client = createDiscordClient({ apiUrl: options.config.discordApiUrl, shards: options.config.shards });
  const ctx: BotContext = {
    client,
    database: options.database,
    config: options.config,
    logger: options.logger,
    queueEvents: new QueueEvents(),
    scheduler: new Scheduler({
      database: options.database,
      logger: options.logger,
      ready: new Promise((resolve) => client.once(Events.ClientReady, () => resolve())),
    }),
    commandGuide: () => registry.commandGuide(),
  };
  const registry = new ModuleRegistry(ctx, options.modules, new ModuleCode(options.moduleCode ?? new Map()));
  let detach: (() => void) | undefined;
  let stopGatewayLog: (() => void) | undefined;
  let stopQueueFeed: (() => Promise<void>) | undefined;
  return {
    client,
    registry,
    ctx,
    async start(token) {
      detach = registry.attach();
      stopQueueFeed = await startQueueChangeFeed(options.database, ctx.queueEvents, options.logger);
      stopGatewayLog = logGatewayConnection(client, options.logger);
      const apiUrl = options.config.discordApiUrl;
      await atDiscord(apiUrl, loginAndWait(client, { token, apiUrl, logger: options.logger }));
      await registry.loadAll();
      await atDiscord(apiUrl, registry.registerCommands(options.config.discordDevGuildId));
    },
    async stop() {
      detach?.();
      stopGatewayLog?.();
      await registry.stopAll();
      await stopQueueFeed?.();
      await ctx.scheduler.stop();
      await destroyClient(client, options.logger);
    },
  };
}

/**
 * Closing the gateway waits for Discord's close handshake, which an unreachable Discord never sends
 * (the socket library gives up after 30 s): past this, stopping goes on without it.
 */
const CLIENT_DESTROY_TIMEOUT_MS = 3_000;

async function destroyClient(client: Client, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CLIENT_DESTROY_TIMEOUT_MS).unref();
  });
  try {
    const outcome = await Promise.race([client.destroy().then(() => 'closed' as const), timedOut]);
    if (outcome === 'timeout')
      logger.warn(
        { afterMs: CLIENT_DESTROY_TIMEOUT_MS },
        'the Discord gateway did not close in time; stopping without it',
      );
  } finally {
    clearTimeout(timer);
  }
}

/** Tags a failure of a start-up step that talks to Discord with where it went. */
async function atDiscord<T>(apiUrl: string | undefined, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    throw new DiscordStartError(apiUrl ?? DISCORD_API_URL_DEFAULT, { cause: error });
  }
}
