import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { BotProcess, startChildWorld, type ChildWorld } from './support/bot-process.js';

/**
 * The shipped bot failing to start: exit code 1 and one line on stderr naming the cause and the
 * setting to check, with no stack trace and no secret.
 */
describe('the bot failing to start', () => {
  let database: TestDatabase;
  let world: ChildWorld;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await database?.close();
  });
  afterEach(async () => {
    await bot?.kill();
    bot = undefined;
    await world?.close();
  });

  async function failedStart(
    extra: Record<string, string> = {},
  ): Promise<{ code: number | null; stderr: string }> {
    bot = BotProcess.launch({
      discord: world.discord,
      databaseUrl: database.url as string,
      dataDir: world.dataDir,
      extra,
    });
    const exit = await bot.exited;
    await bot.closed;
    return { code: exit.code, stderr: bot.stderr.join('') };
  }

  function expectOneLine(stderr: string, line: RegExp): void {
    expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
    expect(stderr).toMatch(line);
    expect(stderr).not.toMatch(/\n\s+at /);
  }

  it('says Discord refused the token (REST 401), naming DISCORD_BOT_TOKEN', async () => {
    world = await startChildWorld(database.db);
    world.discord.refuseBotToken('rest');
    const { code, stderr } = await failedStart();
    expect(code).toBe(1);
    expectOneLine(
      stderr,
      /^Cannot start: Discord refused the bot token \(DISCORD_BOT_TOKEN\)\. Reset it in the developer portal/,
    );
    expect(stderr).not.toContain(world.discord.token);
  });

  it('says Discord refused the token when the gateway closes with 4004', async () => {
    world = await startChildWorld(database.db);
    world.discord.refuseBotToken('gateway');
    const { code, stderr } = await failedStart();
    expect(code).toBe(1);
    expectOneLine(stderr, /^Cannot start: Discord refused the bot token \(DISCORD_BOT_TOKEN\)/);
  });

  it('says it cannot reach Discord, naming the URL and DISCORD_API_URL', async () => {
    world = await startChildWorld(database.db);
    const unreachable = world.discord.apiUrl;
    await world.discord.goOffline();
    const { code, stderr } = await failedStart();
    expect(code).toBe(1);
    expectOneLine(
      stderr,
      new RegExp(
        `^Cannot start: cannot reach Discord at ${unreachable.replace(/[.]/g, '\\.')} \\(DISCORD_API_URL\\): connection refused`,
      ),
    );
  });

  it('says it cannot reach the database, naming DATABASE_URL without its password', async () => {
    world = await startChildWorld(database.db);
    const { code, stderr } = await failedStart({
      DATABASE_URL: 'postgres://bot:Very-Secret-Pw@127.0.0.1:1/musicbot',
    });
    expect(code).toBe(1);
    expectOneLine(
      stderr,
      /^Cannot start: cannot reach the database at 127\.0\.0\.1:1 \(DATABASE_URL\): connection refused/,
    );
    expect(stderr).not.toContain('Very-Secret-Pw');
  });

  it('says the HTTP port is in use, naming HTTP_PORT', async () => {
    world = await startChildWorld(database.db);
    const holder = http.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = holder.address() as AddressInfo;
      const { code, stderr } = await failedStart({ HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) });
      expect(code).toBe(1);
      expectOneLine(
        stderr,
        new RegExp(
          `^Cannot start: the HTTP server's address is already in use \\(127\\.0\\.0\\.1, port ${port}\\)\\. .*HTTP_PORT`,
        ),
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
