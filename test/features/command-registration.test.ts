import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChannelType, InteractionContextType, PermissionFlagsBits } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBot, type Bot } from '../../src/discord/bot.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { createLogger } from '../../src/logging/logger.js';
import {
  installUnhandledRejectionGuard,
  startLocalDiscord,
  type LocalDiscord,
} from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');

beforeEach(async () => {
  await database.reset();
});

const GLOBAL_PUT = /^\/applications\/\d+\/commands$/;
const GUILD_PUT = /^\/applications\/\d+\/guilds\/(\d+)\/commands$/;

describe('with DISCORD_DEV_GUILD_ID set', () => {
  const DEV_GUILD = '1100000000000000001';
  let discord: LocalDiscord;
  let bot: Bot;
  let dataDir: string;

  /** The test bot's guild id is generated; a dev guild must be known before the bot starts. */
  beforeEach(async () => {
    discord = await startLocalDiscord();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-dev-guild-'));
    const owner = discord.addUser({ username: 'developer' });
    discord.addGuild({ id: DEV_GUILD, name: 'Bot development', ownerId: owner.id });
    discord.addChannel(DEV_GUILD, { name: 'testing', type: ChannelType.GuildText });
    discord.addMember(DEV_GUILD, { user: owner });
    const config = loadConfig({
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_DEV_GUILD_ID: DEV_GUILD,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      HTTP_PORT: '0',
    });
    bot = createBot({ config, logger: createLogger('silent'), database, modules: FEATURE_MODULES });
    await bot.start(discord.token);
  });
  afterEach(async () => {
    const unknown = [...discord.unknownRoutes];
    await bot.stop();
    await discord.close();
    await fs.rm(dataDir, { recursive: true, force: true });
    expect(unknown).toEqual([]);
  });

  it('registers every command in that server only, never globally', () => {
    expect(discord.callsTo('PUT', GLOBAL_PUT)).toEqual([]);
    const puts = discord.callsTo('PUT', GUILD_PUT);
    expect(puts.map((c) => GUILD_PUT.exec(c.path)?.[1])).toEqual([DEV_GUILD]);
    expect(discord.registeredCommands()).toEqual([]);
    expect(discord.registeredCommands(DEV_GUILD).map((c) => c.name)).toEqual(
      expect.arrayContaining(['submit', 'next', 'admin']),
    );
    expect(discord.registeredCommands(DEV_GUILD)).toHaveLength(bot.registry.commandPayloads().length);
  });

  it('registers again in that server after /admin reload', async () => {
    const [channel] = [...discord.world.channels.values()];
    const owner = [...discord.world.guild(DEV_GUILD).members.keys()].find((id) => id !== discord.bot.id)!;
    const reload = discord.slashCommand({
      channelId: channel!.id,
      user: owner,
      name: 'admin',
      subcommand: 'reload',
      options: { module: 'economy' },
    });
    expect((await reload.reply()).body.data.content).toMatch(/^Restarted the economy module/);
    expect(discord.callsTo('PUT', GUILD_PUT)).toHaveLength(2);
    expect(discord.callsTo('PUT', GLOBAL_PUT)).toEqual([]);
  });
});

describe('registered permissions (globally, without DISCORD_DEV_GUILD_ID)', () => {
  let t: TestBot;
  beforeEach(async () => {
    t = await startTestBot({ database });
  });
  afterEach(() => t.close());

  const command = (name: string) => t.discord.registeredCommands().find((c) => c.name === name);

  it('registers once, globally', () => {
    expect(t.discord.callsTo('PUT', GLOBAL_PUT)).toHaveLength(1);
    expect(t.discord.callsTo('PUT', GUILD_PUT)).toEqual([]);
  });

  it.each(['admin', 'setup'])(
    'hides /%s from members without Manage Server, and offers it in servers only',
    (name) => {
      expect(command(name)?.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
      expect(command(name)?.contexts).toEqual([InteractionContextType.Guild]);
    },
  );

  it('leaves every other command, reviewer commands included, visible to everyone', () => {
    // The reviewer role is chosen per server by its admins; a permission bit can't express it, so
    // reviewer commands are checked at run time only.
    const others = t.discord.registeredCommands().filter((c) => !['admin', 'setup'].includes(c.name));
    expect(others.map((c) => c.name)).toEqual(
      expect.arrayContaining(['next', 'remove', 'move', 'submit', 'help', 'about']),
    );
    expect(others.filter((c) => c.default_member_permissions !== null).map((c) => c.name)).toEqual([]);
  });
});
