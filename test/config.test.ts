import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireDiscordToken } from '../src/config.js';
import { createLogger } from '../src/logging/logger.js';
import { openDatabase } from '../src/storage/open.js';
import { createPostgresDatabase } from './support/db/test-database.js';
import { until } from './support/until.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration from the environment', () => {
  it('defaults to no handle linking without proof, ./data, info logs and the embedded database', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      allowAnyHandleLinking: false,
      dataDir: path.resolve('./data'),
      logLevel: 'info',
      databaseUrl: undefined,
      discordToken: undefined,
    });
  });

  it('reads the flag, the data directory and the database URL when set', () => {
    const config = loadConfig({
      ALLOW_ANY_HANDLE_LINKING: 'true',
      DATA_DIR: '/srv/bot',
      DATABASE_URL: 'postgres://bot@db.example/bot',
      DISCORD_BOT_TOKEN: ' abc.def ',
    });
    expect(config).toMatchObject({
      allowAnyHandleLinking: true,
      dataDir: '/srv/bot',
      databaseUrl: 'postgres://bot@db.example/bot',
      discordToken: 'abc.def',
    });
  });

  it('binds the HTTP server to HTTP_HOST when set, and to every interface when not', () => {
    expect(loadConfig({}).httpHost).toBeUndefined();
    expect(loadConfig({ HTTP_HOST: '127.0.0.1' }).httpHost).toBe('127.0.0.1');
    expect(loadConfig({ HTTP_HOST: '::1' }).httpHost).toBe('::1');
    expect(loadConfig({ HTTP_HOST: ' localhost ' }).httpHost).toBe('localhost');
    expect(problemsOf({ HTTP_HOST: 'http://127.0.0.1:3000' })).toEqual([
      'HTTP_HOST: must be an IP address or a host name, e.g. 127.0.0.1 (this machine only) or 0.0.0.0',
    ]);
  });

  it('names pasted links from their platform unless LINK_NAMES is off', () => {
    expect(loadConfig({}).linkNames).toBe(true);
    expect(loadConfig({ LINK_NAMES: 'on' }).linkNames).toBe(true);
    expect(loadConfig({ LINK_NAMES: 'off' }).linkNames).toBe(false);
    expect(problemsOf({ LINK_NAMES: 'false' })).toEqual(['LINK_NAMES: must be one of on, off']);
  });

  it('takes a TikTok proxy as an http, https or socks5 URL, and refuses anything else in one line', () => {
    expect(loadConfig({}).tiktokProxyUrl).toBeUndefined();
    for (const url of ['http://10.0.0.2:3128', 'https://proxy.example:443', 'socks5://u:p@10.0.0.2:1080'])
      expect(loadConfig({ TIKTOK_PROXY_URL: url }).tiktokProxyUrl).toBe(url);
    for (const url of ['ftp://10.0.0.2:21', '10.0.0.2:1080', 'socks4://10.0.0.2:1080'])
      expect(problemsOf({ TIKTOK_PROXY_URL: url })).toEqual([
        'TIKTOK_PROXY_URL: must be an http://, https:// or socks5:// proxy URL, e.g. socks5://127.0.0.1:1080',
      ]);
  });

  it('takes a TikTok login from TIKTOK_SESSION_ID with its data centre, and refuses a pasted cookie line without echoing it', () => {
    expect(loadConfig({}).tiktokSession).toBeUndefined();
    expect(loadConfig({ TIKTOK_SESSION_ID: ' 0123456789abcdef0123456789abcdef ' }).tiktokSession).toEqual({
      sessionId: '0123456789abcdef0123456789abcdef',
      targetIdc: 'useast1a',
    });
    expect(
      loadConfig({ TIKTOK_SESSION_ID: '0123456789abcdef', TIKTOK_TARGET_IDC: 'eu-ttp2' }).tiktokSession,
    ).toEqual({ sessionId: '0123456789abcdef', targetIdc: 'eu-ttp2' });
    const problems = problemsOf({ TIKTOK_SESSION_ID: 'sessionid=0123456789abcdef; path=/' });
    expect(problems).toEqual([
      'TIKTOK_SESSION_ID: must be the value of the sessionid cookie of a logged-in tiktok.com (the value alone, without "sessionid=")',
    ]);
    expect(problems.join('')).not.toContain('0123456789abcdef');
  });

  it(".env.example lists every setting the README's configuration table documents", () => {
    const readme = readFileSync(path.resolve('README.md'), 'utf8');
    const example = readFileSync(path.resolve('.env.example'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` /gm)].map((m) => m[1]);
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('refuses invalid values with one readable line per problem', () => {
    const problems = problemsOf({
      ALLOW_ANY_HANDLE_LINKING: 'maybe',
      DATABASE_URL: 'mysql://bot@db.example/bot',
      LOG_LEVEL: 'loud',
      DATA_DIR: '   ',
    });
    expect(problems).toHaveLength(4);
    expect(problems).toContain('DATABASE_URL: must be a postgres:// or postgresql:// connection URL');
    expect(problems).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
    expect(problems).toContain('ALLOW_ANY_HANDLE_LINKING: must be one of 0, 1, true, false, yes, no');
    expect(problems).toContain('DATA_DIR: must not be empty (default ./data)');
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('takes DATABASE_POOL_SIZE from 2 to 100 connections, 20 when unset', () => {
    expect(loadConfig({}).databasePoolSize).toBe(20);
    expect(loadConfig({ DATABASE_POOL_SIZE: '8' }).databasePoolSize).toBe(8);
    expect(loadConfig({ DATABASE_POOL_SIZE: '100' }).databasePoolSize).toBe(100);
    for (const bad of ['1', '101', '0', '-5', '12.5', 'twenty', '1e2']) {
      expect(problemsOf({ DATABASE_POOL_SIZE: bad }), bad).toEqual([
        'DATABASE_POOL_SIZE: must be a whole number of connections from 2 to 100',
      ]);
    }
  });

  it('puts every problem on its own line of the error message', () => {
    const error = (() => {
      try {
        return loadConfig({ LOG_LEVEL: 'loud', HTTP_PORT: '70000' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.split('\n')).toEqual([
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'HTTP_PORT: must be a port number (0-65535)',
    ]);
  });

  it('says how to get a bot token when DISCORD_BOT_TOKEN is missing or blank', () => {
    for (const env of [{}, { DISCORD_BOT_TOKEN: '   ' }]) {
      expect(() => requireDiscordToken(loadConfig(env))).toThrow(
        'DISCORD_BOT_TOKEN: missing. Create a bot at https://discord.com/developers/applications, copy its token and put it in .env (see .env.example).',
      );
    }
    expect(requireDiscordToken(loadConfig({ DISCORD_BOT_TOKEN: 'abc.def' }))).toBe('abc.def');
  });

  it('redacts the token, the webhook secret, the sign API key, the TikTok session, the proxy and the database URL from a logged config', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const config = loadConfig({
      DISCORD_BOT_TOKEN: 'MTIz.discord-token-value',
      DATABASE_URL: 'postgres://bot:db-password-value@127.0.0.1/bot',
      TIKTOK_WEBHOOK_SECRET: 'webhook-secret-value-0123',
      TIKTOK_SIGN_API_KEY: 'sign-api-key-value',
      TIKTOK_SESSION_ID: 'tiktok-session-id-value',
      TIKTOK_PROXY_URL: 'socks5://user:proxy-password-value@10.0.0.2:1080',
    });
    logger.info({ config }, 'starting');
    logger.info(config, 'starting');
    const log = lines.join('');
    expect(log).toContain('[redacted]');
    for (const secret of [
      'discord-token-value',
      'db-password-value',
      'webhook-secret-value',
      'sign-api-key-value',
      'tiktok-session-id-value',
      'proxy-password-value',
    ])
      expect(log).not.toContain(secret);
  });

  it('the bot opens its whole pool at start; the one-shot commands only what they use', async () => {
    const created = await createPostgresDatabase();
    const logger = createLogger('silent');
    const config = loadConfig({ DATABASE_URL: created.url, DATABASE_POOL_SIZE: '6' });
    const connections = async () => {
      const rows = await database.driver.withSession((s) =>
        s.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()',
        ),
      );
      return Number(rows[0]?.n);
    };
    let database = await openDatabase(config, logger);
    try {
      // Migrations ran on one connection; nothing else was opened.
      expect(await connections()).toBe(1);
      await database.close();
      database = await openDatabase(config, logger, { keepPoolFull: true });
      await until('the pool full', async () => (await connections()) >= 6);
      expect(await connections()).toBe(6);
    } finally {
      await database.close();
      await created.drop();
    }
  });

  it('never logs the database password when it opens the database', async () => {
    const created = await createPostgresDatabase();
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    // The local server trusts every login, so any password connects.
    const url = new URL(created.url);
    url.password = 'Sup3r-Secret-Pw';
    const database = await openDatabase(loadConfig({ DATABASE_URL: url.toString() }), logger);
    try {
      await database.close();
      const log = lines.join('');
      expect(log).toContain('opening database');
      expect(log).toContain('postgres:***@');
      expect(log).not.toContain('Sup3r-Secret-Pw');
    } finally {
      await created.drop();
    }
  });
});
