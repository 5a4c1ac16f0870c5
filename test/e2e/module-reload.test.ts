import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChannelType } from 'discord.js';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startLocalDiscord, type LocalDiscord } from '../support/discord/index.js';
import { buildBotCopy, type BuiltBotCopy } from '../support/built-bot-copy.js';
import { createPostgresDatabase } from '../support/db/test-database.js';

/**
 * `/admin reload` in the built bot loads a feature's changed files without a restart of the bot. The
 * bot is built into a folder of its own (its files are edited here, never the checkout's dist/) and
 * started as its own process against the local Discord, as a user starts it.
 */
let build: BuiltBotCopy | undefined;
let discord: LocalDiscord | undefined;
let child: ChildProcess | undefined;
let drop: (() => Promise<void>) | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  build = await buildBotCopy();
}, 180_000);

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await discord?.close();
  await drop?.();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

afterAll(() => build?.remove());

/** Replaces text in a built file, failing when the text is not there (the build changed shape). */
async function edit(file: string, from: string, to: string): Promise<void> {
  const code = await fs.readFile(file, 'utf8');
  expect(code).toContain(from);
  await fs.writeFile(file, code.replace(from, to));
}

it('answers with a feature’s edited code after /admin reload, sharing the code outside its folder; a broken version leaves the running one answering and the admin is told', async () => {
  const { entry, dist } = build!;
  discord = await startLocalDiscord();
  const owner = discord.addUser({ username: 'streamer' });
  const viewer = discord.addUser({ username: 'viewer' });
  const guild = discord.addGuild({ name: 'Music Review', ownerId: owner.id });
  const channel = discord.addChannel(guild.id, { name: 'general', type: ChannelType.GuildText });
  discord.addMember(guild.id, { user: owner });
  discord.addMember(guild.id, { user: viewer });
  const created = await createPostgresDatabase();
  drop = created.drop;
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-reload-data-'));

  let output = '';
  child = spawn(process.execPath, [entry, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: created.url,
      DATA_DIR: dataDir,
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      LINK_NAMES: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await discord.waitForCall(
    (c) => c.method === 'PUT' && /\/applications\/\d+\/commands$/.test(c.path),
    30_000,
  );

  const local = discord;
  const about = async () =>
    String(
      (await local.slashCommand({ channelId: channel.id, user: viewer, name: 'about' }).reply(15_000)).body
        .data.content,
    );
  const reloadGuide = async () =>
    String(
      (
        await local
          .slashCommand({
            channelId: channel.id,
            user: owner,
            name: 'admin',
            subcommand: 'reload',
            options: { module: 'guide' },
          })
          .reply(15_000)
      ).body.data.content,
    );
  const guide = path.join(dist, 'features', 'guide');
  const aboutFile = path.join(guide, 'about-command.js');

  expect(await about()).toContain('Free software under the GNU AGPL 3.0');
  expect(await reloadGuide()).toBe(
    'Reloaded the guide module; its files have not changed, so it runs the same code as before.',
  );

  await edit(aboutFile, 'Free software under the GNU AGPL 3.0', 'Edited while running: free software');
  expect(await reloadGuide()).toBe('Reloaded the guide module with its new code.');
  expect(await about()).toContain('Edited while running: free software');

  await edit(aboutFile, 'export const aboutCommand = {', 'export const aboutCommand = {{');
  expect(await reloadGuide()).toBe(
    "The guide module was not reloaded: its new code has a mistake and could not be loaded. The version already running stays on; the bot's logs say what is wrong.",
  );
  expect(await about()).toContain('Edited while running: free software');
  expect(output).toContain('new module code failed to load');
  expect(output).toContain('SyntaxError');
  expect(output).toContain(`${aboutFile}:`);

  await edit(aboutFile, 'export const aboutCommand = {{', 'export const aboutCommand = {');
  await edit(aboutFile, 'Edited while running', 'Never answered');
  await edit(
    path.join(guide, 'index.js'),
    'components: [setupHandler],',
    "components: [setupHandler], start() { throw new Error('broken on purpose'); },",
  );
  expect(await reloadGuide()).toBe(
    "The guide module was not reloaded: its new version failed to start, so the previous version is running again. The bot's logs say what went wrong.",
  );
  expect(await about()).toContain('Edited while running: free software');
  expect(output).toContain('broken on purpose');

  // The new version's own files load fresh, the shared ones stay the bot's one copy: a refusal
  // thrown with the shared UserFacingError still becomes its plain reply, not an apology.
  await edit(
    path.join(guide, 'index.js'),
    "components: [setupHandler], start() { throw new Error('broken on purpose'); },",
    'components: [setupHandler],',
  );
  await edit(
    aboutFile,
    'async execute(interaction, ctx) {',
    "async execute(interaction, ctx) { throw new UserFacingError('not_found', 'Refused by the edited code.');",
  );
  await fs.writeFile(
    aboutFile,
    `import { UserFacingError } from '../../domain/errors.js';\n${await fs.readFile(aboutFile, 'utf8')}`,
  );
  expect(await reloadGuide()).toBe('Reloaded the guide module with its new code.');
  expect(await about()).toBe('Refused by the edited code.');

  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(discord.unknownRoutes).toEqual([]);
}, 120_000);
