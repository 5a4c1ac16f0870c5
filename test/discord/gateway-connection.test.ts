import { GatewayIntentBits, type Client } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  gatewayState,
  logGatewayConnection,
  STILL_DOWN_REPORT_MS,
} from '../../src/discord/gateway-connection.js';
import { createLogger } from '../../src/logging/logger.js';
import { until } from '../support/until.js';
import {
  installUnhandledRejectionGuard,
  startClient,
  startLocalDiscord,
  type LocalDiscord,
} from '../support/discord/index.js';

installUnhandledRejectionGuard();

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}
const WARN = 40;
const INFO = 30;
const ERROR = 50;

let discord: LocalDiscord;
let client: Client;
let lines: Line[];
let clock: number;
let stopLogging: () => void;

beforeEach(async () => {
  discord = await startLocalDiscord();
  discord.addGuild({ name: 'Music Review', ownerId: discord.addUser({ username: 'owner' }).id });
  client = await startClient(discord, { intents: [GatewayIntentBits.Guilds] });
  lines = [];
  clock = 1_000_000;
  const logger = createLogger('debug', {
    write: (line: string) => void lines.push(JSON.parse(line) as Line),
  });
  stopLogging = logGatewayConnection(client, logger, () => clock);
});
afterEach(async () => {
  stopLogging();
  await discord.close();
});

const logged = (msg: string) => lines.filter((l) => l.msg === msg);

describe('the Discord gateway state, as /healthz reports it', () => {
  it('is connected once logged in', () => {
    expect(gatewayState(client)).toBe('connected');
  });

  it('is reconnecting while the gateway is down, though the client stays "ready"', async () => {
    discord.cutGateway();
    await until('the client notices the cut', () => gatewayState(client) !== 'connected');
    expect(gatewayState(client)).toBe('reconnecting');
    expect(client.isReady()).toBe(true);
    expect(await discord.restoreGateway()).toBe('resumed');
    await until('the shard is ready again', () => gatewayState(client) === 'connected');
  });

  it('is disconnected when Discord closes the session for good (4004)', async () => {
    await discord.closeGateway(4004, { awaitReconnect: false });
    await until('the close arrives', () => gatewayState(client) !== 'connected');
    expect(gatewayState(client)).toBe('disconnected');
  });

  it('is disconnected once the client is destroyed', async () => {
    stopLogging();
    await client.destroy();
    expect(gatewayState(client)).toBe('disconnected');
  });
});

describe('gateway disconnects and resumes in the logs', () => {
  it('logs the loss, the first refused attempt, and the resume with how long it was down', async () => {
    discord.cutGateway();
    await until(
      'two attempts refused',
      () => lines.filter((l) => l.msg === 'Discord gateway error').length >= 2,
    );
    clock += 4_000;
    expect(await discord.restoreGateway()).toBe('resumed');
    await until('the resume is logged', () => logged('Discord gateway resumed').length > 0);

    expect(logged('Discord gateway connection lost; reconnecting')).toMatchObject([
      { level: WARN, shardId: 0 },
    ]);
    const errors = logged('Discord gateway error');
    // One warning per outage; the rest (one per 500 ms attempt) at debug.
    expect(errors.filter((l) => l.level === WARN)).toHaveLength(1);
    expect(errors[0]!.err).toMatch(/503/);
    const [resumed] = logged('Discord gateway resumed');
    expect(resumed).toMatchObject({ level: INFO, shardId: 0, downForMs: 4_000 });
    expect(resumed!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('repeats a warning at most every 30 s while the gateway stays unreachable', async () => {
    discord.cutGateway();
    await until(
      'the loss is logged',
      () => logged('Discord gateway connection lost; reconnecting').length > 0,
    );
    const attempts = () => lines.filter((l) => l.msg === 'Discord gateway error').length;
    const seen = attempts();
    await until('a few more attempts', () => attempts() >= seen + 2);
    expect(logged('Discord gateway still unreachable; reconnecting')).toEqual([]);
    clock += STILL_DOWN_REPORT_MS;
    await until('the reminder', () => logged('Discord gateway still unreachable; reconnecting').length > 0);
    expect(logged('Discord gateway still unreachable; reconnecting')).toMatchObject([
      { level: WARN, downForMs: STILL_DOWN_REPORT_MS, lastError: expect.stringMatching(/503/) },
    ]);
    await discord.restoreGateway();
  });

  it('logs an error naming the token setting when Discord closes with 4004', async () => {
    await discord.closeGateway(4004, { awaitReconnect: false });
    await until('the close is logged', () => lines.some((l) => l.level === ERROR));
    expect(
      logged('Discord gateway closed for good; the bot receives no more events until it is restarted'),
    ).toMatchObject([{ level: ERROR, code: 4004, reason: expect.stringContaining('DISCORD_BOT_TOKEN') }]);
  });
});
