import { Events, type Client } from 'discord.js';
import type { Config } from '../config.js';
import type { Logger } from '../logging/logger.js';
import { Scheduler } from '../jobs/scheduler.js';
import type { Database } from '../storage/connect.js';
import { createDiscordClient, loginAndWait } from './client.js';
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
}): Bot {
  const client = createDiscordClient({ apiUrl: options.config.discordApiUrl });
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
  const registry = new ModuleRegistry(ctx, options.modules);
  let detach: (() => void) | undefined;
  return {
    client,
    registry,
    ctx,
    async start(token) {
      detach = registry.attach();
      await loginAndWait(client, { token, apiUrl: options.config.discordApiUrl, logger: options.logger });
      await registry.loadAll();
      await registry.registerCommands(options.config.discordDevGuildId);
    },
    async stop() {
      detach?.();
      await registry.stopAll();
      await ctx.scheduler.stop();
      await client.destroy();
    },
  };
}
