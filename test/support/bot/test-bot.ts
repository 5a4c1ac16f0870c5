import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, expect } from 'vitest';
import type { APIUser } from 'discord-api-types/v10';
import { loadConfig, type Config } from '../../../src/config.js';
import { createBot, type Bot } from '../../../src/discord/bot.js';
import type { ModuleFactory } from '../../../src/discord/module.js';
import { FEATURE_MODULES } from '../../../src/features/index.js';
import { createLogger } from '../../../src/logging/logger.js';
import { setGuildField } from '../../../src/storage/guild-config-repo.js';
import { startLocalDiscord, type LocalDiscord } from '../discord/index.js';
import { openTestDatabase, type DriverKind, type TestDatabase } from '../db/test-database.js';

/**
 * The shipped bot (real discord.js client, real feature modules, real database) against the local
 * Discord: a review server with an admin (the streamer), a reviewer and two viewers.
 */
export interface TestBot {
  discord: LocalDiscord;
  database: TestDatabase;
  bot: Bot;
  config: Config;
  guildId: string;
  channels: { submissions: string; reviewers: string; general: string };
  reviewerRoleId: string;
  users: { admin: APIUser; reviewer: APIUser; viewer: APIUser; other: APIUser };
  dataDir: string;
  /** Stops the bot and the local Discord, then fails if the bot called a route the fake lacks. */
  close(): Promise<void>;
}

export interface TestBotOptions {
  driver?: DriverKind;
  /** A database opened by the test file (beforeAll) and reset between tests; not closed here. */
  database?: TestDatabase;
  modules?: ReadonlyMap<string, ModuleFactory>;
  env?: Record<string, string>;
  /** Leave channels and roles unset in the guild config. */
  unconfigured?: boolean;
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const database = options.database ?? (await openTestDatabase(options.driver ?? 'postgres'));
  const discord = await startLocalDiscord();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-bot-'));
  const admin = discord.addUser({ username: 'streamer' });
  const guild = discord.addGuild({ name: 'Music Review', ownerId: admin.id });
  const submissions = discord.addChannel(guild.id, { name: 'song-requests', type: ChannelType.GuildText });
  const reviewers = discord.addChannel(guild.id, { name: 'reviewers', type: ChannelType.GuildText });
  const general = discord.addChannel(guild.id, { name: 'general', type: ChannelType.GuildText });
  const reviewerRole = discord.addRole(guild.id, { name: 'Reviewer', permissions: 0n });
  const adminRole = discord.addRole(guild.id, {
    name: 'Admin',
    permissions: PermissionFlagsBits.ManageGuild,
  });
  const reviewer = discord.addUser({ username: 'reviewer' });
  const viewer = discord.addUser({ username: 'viewer' });
  const other = discord.addUser({ username: 'other' });
  discord.addMember(guild.id, { user: admin, roles: [adminRole.id] });
  discord.addMember(guild.id, { user: reviewer, roles: [reviewerRole.id] });
  discord.addMember(guild.id, { user: viewer });
  discord.addMember(guild.id, { user: other });

  if (!options.unconfigured) {
    await setGuildField(database.db, guild.id, 'submissionChannelId', submissions.id);
    await setGuildField(database.db, guild.id, 'reviewerChannelId', reviewers.id);
    await setGuildField(database.db, guild.id, 'reviewerRoleId', reviewerRole.id);
  }

  const config = loadConfig({
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // Several test bots run at once: each HTTP server takes a free port.
    HTTP_PORT: '0',
    // Tests never reach the platforms; test/support/link-name-server.ts stands in for them.
    LINK_NAMES: 'off',
    ...options.env,
  });
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const bot = createBot({ config, logger, database, modules: options.modules ?? FEATURE_MODULES });
  await bot.start(discord.token);
  return {
    discord,
    database,
    bot,
    config,
    guildId: guild.id,
    channels: { submissions: submissions.id, reviewers: reviewers.id, general: general.id },
    reviewerRoleId: reviewerRole.id,
    users: { admin, reviewer, viewer, other },
    dataDir,
    async close() {
      const unknown = [...discord.unknownRoutes];
      await bot.stop();
      await discord.close();
      if (!options.database) await database.close();
      await fs.rm(dataDir, { recursive: true, force: true });
      expect(unknown, 'REST routes the local Discord does not serve').toEqual([]);
    },
  };
}

/** The bot of the test running now; `restart` replaces it with one started with other options. */
export interface UsedTestBot extends TestBot {
  restart(options: Omit<TestBotOptions, 'database' | 'driver'>): Promise<void>;
}

/**
 * A bot for each test of the file (or of the describe block it is called in): before each test the
 * database is emptied and a bot started on it, after each test the bot is closed. The handle can be
 * taken at the top of the file; it reaches the bot once `beforeEach` has started it.
 */
export function useTestBot(
  database: TestDatabase,
  options: Omit<TestBotOptions, 'database' | 'driver'> = {},
): UsedTestBot {
  let started: TestBot | undefined;
  beforeEach(async () => {
    await database.reset();
    started = await startTestBot({ ...options, database });
  });
  afterEach(async () => {
    const bot = started;
    started = undefined;
    await bot?.close();
  });
  const current = (): TestBot => {
    if (!started) throw new Error('the test bot starts in beforeEach; use it inside hooks and tests');
    return started;
  };
  return {
    get discord() {
      return current().discord;
    },
    get database() {
      return current().database;
    },
    get bot() {
      return current().bot;
    },
    get config() {
      return current().config;
    },
    get guildId() {
      return current().guildId;
    },
    get channels() {
      return current().channels;
    },
    get reviewerRoleId() {
      return current().reviewerRoleId;
    },
    get users() {
      return current().users;
    },
    get dataDir() {
      return current().dataDir;
    },
    async close() {
      const bot = current();
      started = undefined;
      await bot.close();
    },
    async restart(next) {
      await current().close();
      started = undefined;
      started = await startTestBot({ ...next, database });
    },
  };
}
