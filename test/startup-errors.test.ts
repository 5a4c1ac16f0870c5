import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { DiscordStartError } from '../src/discord/client.js';
import { describeStartupError } from '../src/startup-errors.js';

/** The error Node gives a connection to a port nobody listens on. */
function refusedConnection(): Promise<Error> {
  return new Promise((resolve) => net.connect(1, '127.0.0.1').once('error', resolve));
}

/** The error Node gives a server listening on a port already taken. */
async function portInUse(): Promise<{ error: Error; port: number }> {
  const holder = http.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as AddressInfo;
  const error = await new Promise<Error>((resolve) =>
    http.createServer().once('error', resolve).listen(port, '127.0.0.1'),
  );
  await new Promise((resolve) => holder.close(resolve));
  return { error, port };
}

function databaseError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'FATAL';
  return error;
}

const discord = (cause: unknown, apiUrl = 'http://127.0.0.1:8080/api') =>
  new DiscordStartError(apiUrl, { cause });
const oneLine = (text: string) => expect(text.split('\n')).toHaveLength(1);

describe('a start-up failure in one line, naming the cause and the setting to check', () => {
  // discord.js's DiscordjsError has a private constructor; this is its shape (the process test meets the real one).
  it('Discord refusing the token over REST (401)', () => {
    const line = describeStartupError(
      discord(Object.assign(new Error('An invalid token was provided.'), { code: 'TokenInvalid' })),
    );
    expect(line).toMatch(/^Cannot start: Discord refused the bot token \(DISCORD_BOT_TOKEN\)\. Reset it/);
    oneLine(line);
  });

  it('Discord refusing the token on the gateway (close 4004)', () => {
    const line = describeStartupError(discord(new Error('Authentication failed')));
    expect(line).toMatch(/^Cannot start: Discord refused the bot token \(DISCORD_BOT_TOKEN\)/);
  });

  it('Discord refusing the Message Content intent (close 4014)', () => {
    expect(describeStartupError(discord(new Error('Used disallowed intents')))).toMatch(
      /Message Content Intent in the developer portal/,
    );
  });

  it('Discord unreachable: its URL and DISCORD_API_URL', async () => {
    const line = describeStartupError(discord(await refusedConnection()));
    expect(line).toBe(
      "Cannot start: cannot reach Discord at http://127.0.0.1:8080/api (DISCORD_API_URL): connection refused. Check the setting and this machine's network.",
    );
  });

  it('Discord unreachable behind a fetch wrapper (the network error in cause)', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND discord.com'), {
      code: 'ENOTFOUND',
      hostname: 'discord.com',
    });
    const line = describeStartupError(
      discord(new TypeError('fetch failed', { cause: dns }), 'https://discord.com/api'),
    );
    expect(line).toMatch(
      /^Cannot start: cannot reach Discord at https:\/\/discord\.com\/api \(DISCORD_API_URL\): host name not found/,
    );
  });

  it('Discord answering 5xx', () => {
    const outage = Object.assign(new Error('Service Unavailable'), { status: 503 });
    expect(describeStartupError(discord(outage))).toMatch(/answered 503; it may be having an outage/);
  });

  it('the gateway refusing the connection at start-up', () => {
    expect(describeStartupError(discord(new Error('Unexpected server response: 503')))).toBe(
      "Cannot start: Discord's gateway (found through http://127.0.0.1:8080/api, DISCORD_API_URL) answered 503; it may be having an outage, try again later.",
    );
  });

  it('the database unreachable: its address and DATABASE_URL', async () => {
    const line = describeStartupError(await refusedConnection());
    expect(line).toBe(
      'Cannot start: cannot reach the database at 127.0.0.1:1 (DATABASE_URL): connection refused. Check DATABASE_URL and that PostgreSQL is running.',
    );
  });

  it('the database refusing the login, without any password in the line', () => {
    const line = describeStartupError(
      databaseError('28P01', 'password authentication failed for user "bot"'),
    );
    expect(line).toBe(
      'Cannot start: the database refused the login in DATABASE_URL (password authentication failed for user "bot"). Check the user and password in DATABASE_URL.',
    );
  });

  it('a database that does not exist', () => {
    expect(describeStartupError(databaseError('3D000', 'database "musicbot" does not exist'))).toBe(
      'Cannot start: database "musicbot" does not exist (DATABASE_URL). Create it, or name an existing database in DATABASE_URL.',
    );
  });

  it('the HTTP port in use: HTTP_PORT and HTTP_HOST', async () => {
    const { error, port } = await portInUse();
    const line = describeStartupError(error);
    expect(line).toBe(
      `Cannot start: the HTTP server's address is already in use (127.0.0.1, port ${port}). Stop the other program or choose another HTTP_PORT (or HTTP_HOST).`,
    );
  });

  it('an HTTP_HOST that is not an address of this machine', async () => {
    const error = await new Promise<Error>((resolve) =>
      http.createServer().once('error', resolve).listen(0, '192.0.2.123'),
    );
    expect(describeStartupError(error)).toMatch(
      /^Cannot start: 192\.0\.2\.123 is not an address of this machine \(HTTP_HOST\)/,
    );
  });

  it('configuration problems, one line each, as before', () => {
    expect(describeStartupError(new ConfigError(['HTTP_PORT: must be a port number (0-65535)']))).toBe(
      'Cannot start: configuration problem\n  HTTP_PORT: must be a port number (0-65535)',
    );
  });

  it('an unexpected error keeps its stack, for a bug report', () => {
    const text = describeStartupError(new RangeError('something nobody expected'));
    expect(text).toMatch(/^Cannot start: unexpected error\nRangeError: something nobody expected\n\s+at /);
  });
});
