import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChannelType } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalDiscord, type LocalDiscord } from '../support/discord/index.js';
import { createPostgresDatabase } from '../support/db/test-database.js';

/**
 * The shipped program, started as its own process with DISCORD_API_URL pointing at the local Discord,
 * behaves as the in-process bot of the other tests. By default it runs from the sources; `.ci/run`
 * runs this file again with MRB_SHIPPED_COMMAND set to a command line that starts it as a user would:
 * the `music-review-bot start` installed from the packed tarball with production dependencies only
 * (an executable, through its shebang), and `npm start` in the checkout (SIGTERM then goes to npm).
 */
const shipped = process.env.MRB_SHIPPED_COMMAND;
const [command, ...args] = shipped
  ? shipped.split(' ')
  : [process.execPath, '--import', 'tsx', 'src/cli/music-review-bot.ts', 'start'];

describe.each(['PostgreSQL', 'the embedded database'] as const)(
  'the shipped bot process on %s',
  (storage) => {
    let discord: LocalDiscord | undefined;
    let child: ChildProcess | undefined;
    let drop: (() => Promise<void>) | undefined;

    afterEach(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await discord?.close();
      await drop?.();
    });

    it(`registers its commands, answers /submit, and exits cleanly on SIGTERM (${shipped ?? 'from the sources'})`, async () => {
      discord = await startLocalDiscord();
      const owner = discord.addUser({ username: 'streamer' });
      const viewer = discord.addUser({ username: 'viewer' });
      const guild = discord.addGuild({ name: 'Music Review', ownerId: owner.id });
      const channel = discord.addChannel(guild.id, { name: 'song-requests', type: ChannelType.GuildText });
      discord.addMember(guild.id, { user: owner });
      discord.addMember(guild.id, { user: viewer });
      const created = storage === 'PostgreSQL' ? await createPostgresDatabase() : undefined;
      drop = created?.drop;
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-shipped-'));

      let output = '';
      child = spawn(command!, args, {
        env: {
          PATH: process.env.PATH ?? '',
          DISCORD_BOT_TOKEN: discord.token,
          DISCORD_API_URL: discord.apiUrl,
          ...(created ? { DATABASE_URL: created.url } : {}),
          DATA_DIR: dataDir,
          HTTP_PORT: '0',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

      await discord.waitForCall(
        (c) => c.method === 'PUT' && /\/applications\/\d+\/commands$/.test(c.path),
        30_000,
      );
      const names = discord.registeredCommands().map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['submit', 'queue', 'next', 'admin']));

      const reply = await discord
        .slashCommand({
          channelId: channel.id,
          user: viewer,
          name: 'submit',
          options: { artist: 'Nova', title: 'Night Drive', link: 'https://youtu.be/dQw4w9WgXcQ' },
        })
        .editReply(0, 15_000);
      expect(String(reply.body.content)).toMatch(/Queued \*\*Nova – Night Drive\*\*/);

      const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped');
      expect(output).not.toContain(discord.token);
      expect(discord.unknownRoutes).toEqual([]);
      await fs.rm(dataDir, { recursive: true, force: true });
    }, 60_000);
  },
);
