import { once } from 'node:events';
import { Client, Events, type ClientOptions } from 'discord.js';
import type { LocalDiscord } from './local-discord.js';

/**
 * A real discord.js Client logged in to the local Discord; resolves once `clientReady` fired.
 * The client is destroyed when the local Discord closes (its heartbeat timer would keep the run alive).
 */
export async function startClient(discord: LocalDiscord, options: ClientOptions): Promise<Client<true>> {
  const client = new Client({ ...options, rest: { ...options.rest, api: discord.apiUrl } });
  discord.onClose(() => client.destroy());
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(5_000) });
  await client.login(discord.token);
  try {
    await ready;
  } catch {
    throw new Error('local Discord: the client did not become ready within 5 s');
  }
  return client as Client<true>;
}
