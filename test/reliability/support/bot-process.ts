import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { APIUser } from 'discord-api-types/v10';
import { setGuildField } from '../../../src/storage/guild-config-repo.js';
import type { Db } from '../../../src/storage/connect.js';
import { BUILT_BOT_ENTRY, BUILT_BOT_PROBE } from '../../support/bot/built-bot.js';
import { startLocalDiscord, type LocalDiscord } from '../../support/discord/index.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEBHOOK_SECRET = 'reliability-relay-secret';

/** One pino line of the child's stdout. */
export type LogLine = { level: number; msg: string; time: number } & Record<string, unknown>;

export interface BotProcessEnv {
  discord: LocalDiscord;
  databaseUrl: string;
  dataDir: string;
  /** Settings added to (or replacing) the ones pointing at the local Discord and the database. */
  extra?: Record<string, string>;
  /**
   * Run the built bot (`node --import <probe> dist/main.js`, see test/support/bot/built-bot.ts; call
   * ensureBotBuilt first) instead of the sources through tsx. The probe's knobs go in `extra`.
   */
  built?: boolean;
}

/**
 * The shipped bot (`node --import tsx src/main.ts`, or the built `dist/main.js`) as a child process,
 * pointed at a local Discord and a real PostgreSQL, with its JSON logs collected line by line.
 */
export class BotProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  readonly stderr: string[] = [];
  /** Resolves once the process has exited and its stdout and stderr are read to the end. */
  readonly closed: Promise<void>;
  #url: string | null = null;
  #waiters = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#onLine(line);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.stderr.push(chunk));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        resolve({ code, signal, at: Date.now() });
        this.#notify();
      }),
    );
  }

  static async start(env: BotProcessEnv & { startTimeoutMs?: number }): Promise<BotProcess> {
    const bot = BotProcess.launch(env);
    const listening = await bot.waitForLog((l) => l.msg === 'http server listening', env.startTimeoutMs);
    bot.#url = String(listening.url);
    // Started: every module is loaded (the webhook's route is in place) and commands are registered.
    await bot.waitForLog((l) => l.msg === 'slash commands registered', env.startTimeoutMs);
    return bot;
  }

  /** Spawns the bot without waiting for anything (to watch a start-up fail). */
  static launch(env: BotProcessEnv): BotProcess {
    const args = env.built
      ? ['--import', BUILT_BOT_PROBE, BUILT_BOT_ENTRY]
      : ['--import', 'tsx', 'src/main.ts'];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        NODE_ENV: 'production',
        DISCORD_BOT_TOKEN: env.discord.token,
        DISCORD_API_URL: env.discord.apiUrl,
        DATABASE_URL: env.databaseUrl,
        DATA_DIR: env.dataDir,
        HTTP_PORT: '0',
        TIKTOK_WEBHOOK_SECRET: WEBHOOK_SECRET,
        LOG_LEVEL: 'info',
        // Tests never reach SoundCloud, Spotify, YouTube or Deezer to name pasted links.
        LINK_NAMES: 'off',
        // Each bot keeps its pool open; several at once in a test stay well under max_connections.
        DATABASE_POOL_SIZE: '8',
        ...env.extra,
      },
    });
    return new BotProcess(child);
  }

  get url(): string {
    if (!this.#url) throw new Error('the bot is not listening');
    return this.#url;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits for a log line; fails with the recent logs when it does not come, or the process exits. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(match);
      if (found) return found;
      if (!this.running) throw new Error(`the bot exited before the expected log line\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a log line\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** SIGKILL if still running, and wait for the exit. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  tail(lines = 15): string {
    const out = this.logs.slice(-lines).map((l) => JSON.stringify(l));
    return [...out, ...this.stderr.slice(-5)].join('\n');
  }

  #onLine(line: string): void {
    if (!line.trim()) return;
    try {
      this.logs.push(JSON.parse(line) as LogLine);
    } catch {
      this.stderr.push(line);
    }
    this.#notify();
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

/** A review server on a local Discord for a bot running in another process. */
export interface ChildWorld {
  discord: LocalDiscord;
  guildId: string;
  channels: { submissions: string; reviewers: string };
  users: { admin: APIUser; reviewer: APIUser; viewers: APIUser[] };
  dataDir: string;
  close(): Promise<void>;
}

export async function startChildWorld(db: Db, options: { viewers?: number } = {}): Promise<ChildWorld> {
  const discord = await startLocalDiscord();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-child-'));
  const admin = discord.addUser({ username: 'streamer' });
  const guild = discord.addGuild({ name: 'Music Review', ownerId: admin.id });
  const submissions = discord.addChannel(guild.id, { name: 'song-requests', type: ChannelType.GuildText });
  const reviewers = discord.addChannel(guild.id, { name: 'reviewers', type: ChannelType.GuildText });
  const reviewerRole = discord.addRole(guild.id, { name: 'Reviewer', permissions: 0n });
  const adminRole = discord.addRole(guild.id, {
    name: 'Admin',
    permissions: PermissionFlagsBits.ManageGuild,
  });
  const reviewer = discord.addUser({ username: 'reviewer' });
  discord.addMember(guild.id, { user: admin, roles: [adminRole.id, reviewerRole.id] });
  discord.addMember(guild.id, { user: reviewer, roles: [reviewerRole.id] });
  const viewers: APIUser[] = [];
  for (let i = 0; i < (options.viewers ?? 1); i++) {
    const viewer = discord.addUser({ username: `viewer${i}` });
    discord.addMember(guild.id, { user: viewer });
    viewers.push(viewer);
  }
  await setGuildField(db, guild.id, 'submissionChannelId', submissions.id);
  await setGuildField(db, guild.id, 'reviewerChannelId', reviewers.id);
  await setGuildField(db, guild.id, 'reviewerRoleId', reviewerRole.id);
  return {
    discord,
    guildId: guild.id,
    channels: { submissions: submissions.id, reviewers: reviewers.id },
    users: { admin, reviewer, viewers },
    dataDir,
    async close() {
      await discord.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
