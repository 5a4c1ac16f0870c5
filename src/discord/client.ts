import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { Logger } from '../logging/logger.js';
import { shardClientOptions, type ShardPlan } from './shard-plan.js';

export interface DiscordClientOptions {
  token: string;
  /** REST base (…/api) of a proxy or a local Discord; the gateway URL is learnt from it. */
  apiUrl?: string | undefined;
  logger: Logger;
}

/**
 * Guilds for channels and roles; Guild Messages and Message Content for passive link detection in
 * the submission channel. Partials.Channel lets messages in uncached channels through.
 */
export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

export function createDiscordClient(
  options: Pick<DiscordClientOptions, 'apiUrl'> & { shards: ShardPlan },
): Client {
  return new Client({
    ...shardClientOptions(options.shards),
    intents: BOT_INTENTS,
    partials: [Partials.Channel],
    allowedMentions: { parse: [] },
    ...(options.apiUrl ? { rest: { api: options.apiUrl } } : {}),
  });
}

/** Where discord.js sends REST requests when DISCORD_API_URL is unset. */
export const DISCORD_API_URL_DEFAULT = 'https://discord.com/api';

/**
 * Logging in, or registering the slash commands, failed while the bot started: `cause` is what
 * discord.js threw, `apiUrl` where its requests went. Lets a start-up failure name Discord's settings.
 */
export class DiscordStartError extends Error {
  override readonly name = 'DiscordStartError';
  constructor(
    readonly apiUrl: string,
    options: { cause: unknown },
  ) {
    super(
      `Discord at ${apiUrl}: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
  }
}

/** Logs in and resolves once the client is ready (all guilds received). */
export async function loginAndWait(client: Client, options: DiscordClientOptions): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(options.token);
  await ready;
  const { shards, shardCount } = client.options;
  options.logger.info(
    { user: client.user?.tag, guilds: client.guilds.cache.size, shards, shardCount },
    'connected to Discord',
  );
}
