import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChannelType, Events, type Interaction } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBot, type Bot } from '../../src/discord/bot.js';
import { shardOfGuild } from '../../src/discord/shard-plan.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { postInChannel } from '../../src/features/tiktok/announcements.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import {
  installUnhandledRejectionGuard,
  startLocalDiscord,
  type LocalDiscord,
} from '../support/discord/index.js';

installUnhandledRejectionGuard();

/** Server ids whose shard of two is known: `(id >> 22) % 2`. */
const GUILD_IDS = [(7_000n << 22n).toString(), (7_001n << 22n).toString()] as const;

let database: TestDatabase;
let discord: LocalDiscord;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  database = await openTestDatabase('postgres');
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await database.close();
});

async function servers(options: { maxConcurrency?: number } = {}) {
  discord = await startLocalDiscord(options);
  cleanups.push(() => discord.close());
  const viewer = discord.addUser({ username: 'viewer' });
  const channels = GUILD_IDS.map((id, n) => {
    discord.addGuild({ id, name: `Stream ${n}`, ownerId: viewer.id });
    discord.addMember(id, { user: viewer });
    return discord.addChannel(id, { name: 'general', type: ChannelType.GuildText }).id;
  });
  return { viewer, channels };
}

/** A bot process of its own (client, modules, scheduler) running `shards` of `count`. */
async function startBot(shards: string, count: string): Promise<{ bot: Bot; interactions: Interaction[] }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-shard-'));
  const config = loadConfig({
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DATA_DIR: dataDir,
    HTTP_PORT: '0',
    LINK_NAMES: 'off',
    DISCORD_SHARD_COUNT: count,
    DISCORD_SHARDS: shards,
  });
  const bot = createBot({ config, logger: createLogger('silent'), database, modules: FEATURE_MODULES });
  const interactions: Interaction[] = [];
  bot.client.on(Events.InteractionCreate, (interaction) => interactions.push(interaction));
  cleanups.push(async () => {
    await bot.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  await bot.start(discord.token);
  return { bot, interactions };
}

describe('bot processes that split the shards of one token', () => {
  it('each runs only its shards: it sees the servers of those shards and answers only their commands', async () => {
    const { viewer, channels } = await servers();
    expect(GUILD_IDS.map((id) => shardOfGuild(id, 2))).toEqual([0, 1]);

    const first = await startBot('0', '2');
    const second = await startBot('1', '2');

    expect([...first.bot.client.guilds.cache.keys()]).toEqual([GUILD_IDS[0]]);
    expect([...second.bot.client.guilds.cache.keys()]).toEqual([GUILD_IDS[1]]);

    for (const channelId of [...channels, ...channels]) {
      const handle = discord.slashCommand({ channelId, user: viewer, name: 'coins' });
      await handle.reply();
    }
    expect(first.interactions.map((i) => i.guildId)).toEqual([GUILD_IDS[0], GUILD_IDS[0]]);
    expect(second.interactions.map((i) => i.guildId)).toEqual([GUILD_IDS[1], GUILD_IDS[1]]);
    const callbacks = discord.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callbacks).toHaveLength(4);
  });

  it("posts a TikTok announcement in a server of another process's shard (the LIVE's owner need not run it)", async () => {
    const { channels } = await servers();
    const other = channels[1]!;
    const first = await startBot('0', '2');
    await startBot('1', '2');
    expect(first.bot.client.channels.cache.has(other)).toBe(false);

    await postInChannel(first.bot.ctx, other, '🎁 @gifter gifted 1,000 TikTok coins <@123>');

    const posts = discord.callsTo('POST', new RegExp(`^/channels/${other}/messages$`));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({
      content: '🎁 @gifter gifted 1,000 TikTok coins <@123>',
      allowed_mentions: { parse: [] },
    });
    expect(discord.channelMessages(other).map((m) => m.content)).toEqual([
      '🎁 @gifter gifted 1,000 TikTok coins <@123>',
    ]);
  });

  it('runs every shard of a fixed count in one process when DISCORD_SHARDS is unset', async () => {
    const { viewer, channels } = await servers({ maxConcurrency: 2 });

    const only = await startBot('', '2');

    expect([...only.bot.client.guilds.cache.keys()].sort()).toEqual([...GUILD_IDS].sort());
    expect(
      discord
        .connectedShards()
        .map(([id, count]) => `${id}/${count}`)
        .sort(),
    ).toEqual(['0/2', '1/2']);
    for (const channelId of channels) {
      await discord.slashCommand({ channelId, user: viewer, name: 'coins' }).reply();
    }
    expect(only.interactions.map((i) => i.guildId)).toEqual([...GUILD_IDS]);
  });
});
