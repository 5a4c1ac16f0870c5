import { inspect } from 'node:util';
import { ConfigError } from './config.js';
import { DiscordStartError } from './discord/client.js';

/** Network failures, as Node reports them, in the operator's words. */
const NETWORK_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  status?: unknown;
  severity?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function fields(error: unknown): ErrorFields {
  return typeof error === 'object' && error !== null ? (error as ErrorFields) : {};
}

/**
 * The network failure in `error` or its causes (undici wraps it in `cause`, a dual-stack connect in
 * an AggregateError's `errors`), with what it was trying to reach.
 */
function networkFailure(error: unknown): { what: string; target: string | undefined } | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    const f = fields(e);
    const what = typeof f.code === 'string' ? NETWORK_FAILURES[f.code] : undefined;
    if (what) {
      const first = Array.isArray(f.errors) ? fields(f.errors[0]) : f;
      const target =
        typeof first.address === 'string'
          ? `${first.address}${first.port === undefined ? '' : `:${String(first.port)}`}`
          : typeof f.hostname === 'string'
            ? f.hostname
            : undefined;
      return { what, target };
    }
    e = f.cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeDiscordFailure(error: DiscordStartError): string {
  const cause = fields(error.cause);
  const setting = 'DISCORD_API_URL';
  // REST answers 401 (discord.js: TokenInvalid); the gateway closes with 4004 ("Authentication failed").
  if (cause.code === 'TokenInvalid' || cause.status === 401 || cause.message === 'Authentication failed') {
    return 'Cannot start: Discord refused the bot token (DISCORD_BOT_TOKEN). Reset it in the developer portal (Bot > Reset Token) and put the new one in DISCORD_BOT_TOKEN.';
  }
  if (cause.message === 'Used disallowed intents') {
    return 'Cannot start: Discord refused the Message Content intent. Turn on Message Content Intent in the developer portal (Bot > Privileged Gateway Intents).';
  }
  const network = networkFailure(error.cause);
  if (network) {
    return `Cannot start: cannot reach Discord at ${error.apiUrl} (${setting}): ${network.what}. Check the setting and this machine's network.`;
  }
  if (typeof cause.status === 'number' && cause.status >= 500) {
    return `Cannot start: Discord at ${error.apiUrl} (${setting}) answered ${cause.status}; it may be having an outage, try again later.`;
  }
  // The gateway refusing the WebSocket handshake (the ws library's wording).
  const handshake = /^Unexpected server response: (\d+)/.exec(messageOf(error.cause));
  if (handshake) {
    return `Cannot start: Discord's gateway (found through ${error.apiUrl}, ${setting}) answered ${handshake[1]}; it may be having an outage, try again later.`;
  }
  return `Cannot start: Discord at ${error.apiUrl} (${setting}) failed: ${messageOf(error.cause)}`;
}

/** The HTTP server could not listen (its error has `syscall: 'listen'`). */
function describeListenFailure(error: ErrorFields): string {
  const where = `${typeof error.address === 'string' ? error.address : 'every interface'}${error.port === undefined ? '' : `, port ${String(error.port)}`}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `Cannot start: the HTTP server's address is already in use (${where}). Stop the other program or choose another HTTP_PORT (or HTTP_HOST).`;
    case 'EACCES':
      return `Cannot start: not allowed to listen on ${where} (HTTP_PORT): ports below 1024 need privileges; choose a higher HTTP_PORT.`;
    case 'EADDRNOTAVAIL':
      return `Cannot start: ${where} is not an address of this machine (HTTP_HOST). Use one of its addresses, or leave HTTP_HOST unset for every interface.`;
    default:
      return `Cannot start: the HTTP server cannot listen on ${where} (HTTP_HOST, HTTP_PORT): ${messageOf(error)}`;
  }
}

/** PostgreSQL's SQLSTATE classes that mean "you cannot use this database with these settings". */
function describeDatabaseRefusal(error: ErrorFields): string | undefined {
  const message = messageOf(error);
  switch (error.code) {
    case '28P01':
    case '28000':
      return `Cannot start: the database refused the login in DATABASE_URL (${message}). Check the user and password in DATABASE_URL.`;
    case '3D000':
      return `Cannot start: ${message} (DATABASE_URL). Create it, or name an existing database in DATABASE_URL.`;
    case '57P03':
      return `Cannot start: the database is starting up or shutting down (${message}); try again shortly.`;
    default:
      return undefined;
  }
}

/**
 * What went wrong at start-up, for the operator: the cause and the setting to check, on one line
 * without a stack trace for every failure a setting or the environment explains. Only an unexpected
 * error (a bug) keeps its stack. Never prints a secret: the database is named by host and port, not
 * by its URL.
 */
export function describeStartupError(error: unknown): string {
  if (error instanceof ConfigError) {
    return `Cannot start: configuration problem\n${error.problems.map((p) => `  ${p}`).join('\n')}`;
  }
  const f = fields(error);
  if (f.name === 'DataDirLockedError') return `Cannot start: ${messageOf(error)}`;
  if (error instanceof DiscordStartError) return describeDiscordFailure(error);
  if (f.syscall === 'listen') return describeListenFailure(f);
  // Everything else the bot reaches over the network at start-up is the database: Discord's
  // failures arrive as DiscordStartError.
  const network = networkFailure(error);
  if (network) {
    return `Cannot start: cannot reach the database${network.target ? ` at ${network.target}` : ''} (DATABASE_URL): ${network.what}. Check DATABASE_URL and that PostgreSQL is running.`;
  }
  if (typeof f.severity === 'string' && typeof f.code === 'string') {
    const refusal = describeDatabaseRefusal(f);
    if (refusal) return refusal;
  }
  if (/timeout exceeded when trying to connect|connection timeout/i.test(messageOf(error))) {
    return 'Cannot start: the database did not answer in time (DATABASE_URL). Check DATABASE_URL and that PostgreSQL is running.';
  }
  return `Cannot start: unexpected error\n${inspect(error)}`;
}
