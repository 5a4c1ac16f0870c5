import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  installUnhandledRejectionGuard,
  shardOfGuild,
  startClient,
  startLocalDiscord,
  type LocalDiscord,
  type LocalDiscordOptions,
} from '../support/discord/index.js';

installUnhandledRejectionGuard();

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent];

/** Guild ids whose shard, of two, is known: the shard is `(id >> 22) % 2`. */
const ON_SHARD_0 = (1_000n << 22n).toString();
const ON_SHARD_1 = (1_001n << 22n).toString();

let discord: LocalDiscord | undefined;

afterEach(async () => {
  const unknownRoutes = discord?.unknownRoutes ?? [];
  await discord?.close();
  discord = undefined;
  expect(unknownRoutes).toEqual([]);
});

async function twoServers(options: LocalDiscordOptions = {}) {
  const local = (discord = await startLocalDiscord(options));
  const owner = local.addUser({ username: 'streamer' });
  const guilds = [ON_SHARD_0, ON_SHARD_1].map((id, n) => {
    const guild = local.addGuild({ id, name: `Stream ${n}`, ownerId: owner.id });
    const channel = local.addChannel(guild.id, { name: 'song-requests' });
    local.addMember(guild.id, { user: owner });
    return { guild, channel };
  });
  return { local, owner, guilds };
}

function messagesSeen(client: Client): Message[] {
  const seen: Message[] = [];
  client.on(Events.MessageCreate, (message) => seen.push(message));
  return seen;
}

describe('the local Discord with several shards', () => {
  it('routes each guild to shard (id >> 22) % count, in READY and for every event', async () => {
    const { local, owner, guilds } = await twoServers();
    expect(shardOfGuild(ON_SHARD_0, 2)).toBe(0);
    expect(shardOfGuild(ON_SHARD_1, 2)).toBe(1);

    const first = await startClient(local, { intents: INTENTS, shards: 0, shardCount: 2 });
    const second = await startClient(local, { intents: INTENTS, shards: 1, shardCount: 2 });

    expect([...first.guilds.cache.keys()]).toEqual([ON_SHARD_0]);
    expect([...second.guilds.cache.keys()]).toEqual([ON_SHARD_1]);
    expect(local.identifiedShards).toEqual([
      [0, 2],
      [1, 2],
    ]);

    const seenByFirst = messagesSeen(first);
    const seenBySecond = messagesSeen(second);
    const delivered = once(second, Events.MessageCreate);
    local.message({ channelId: guilds[1]!.channel.id, author: owner, content: 'for shard 1' });
    await delivered;
    const deliveredFirst = once(first, Events.MessageCreate);
    local.message({ channelId: guilds[0]!.channel.id, author: owner, content: 'for shard 0' });
    await deliveredFirst;

    expect(seenByFirst.map((m) => m.content)).toEqual(['for shard 0']);
    expect(seenBySecond.map((m) => m.content)).toEqual(['for shard 1']);
  });

  it('serves a client that asks for the recommended count ("auto") on every shard', async () => {
    const { local } = await twoServers({ recommendedShards: 2, maxConcurrency: 2 });

    const client = await startClient(local, { intents: INTENTS, shards: 'auto' });

    expect(client.options.shardCount).toBe(2);
    expect([...client.guilds.cache.keys()].sort()).toEqual([ON_SHARD_0, ON_SHARD_1].sort());
    expect(
      local
        .connectedShards()
        .map(([id]) => id)
        .sort(),
    ).toEqual([0, 1]);
  });

  it('says which shard is missing when no client runs it, rather than dropping the event', async () => {
    const { local, owner, guilds } = await twoServers();
    await startClient(local, { intents: INTENTS, shards: 0, shardCount: 2 });

    expect(local.hasShardFor(ON_SHARD_0)).toBe(true);
    expect(local.hasShardFor(ON_SHARD_1)).toBe(false);
    expect(() =>
      local.message({ channelId: guilds[1]!.channel.id, author: owner, content: 'lost?' }),
    ).toThrow(`no client runs the shard of guild ${ON_SHARD_1}`);
  });

  it('closes an IDENTIFY with too few shards (4011) or an impossible pair (4010)', async () => {
    const { local } = await twoServers({ requiredShards: 2 });

    for (const options of [
      { shards: 0, shardCount: 1 },
      { shards: 2, shardCount: 2 },
    ]) {
      const client = new Client({ intents: INTENTS, ...options, rest: { api: local.apiUrl } });
      local.onClose(() => client.destroy());
      await expect(client.login(local.token)).rejects.toThrow();
      await client.destroy();
    }
    expect(local.connectedShards()).toEqual([]);
  });
});
