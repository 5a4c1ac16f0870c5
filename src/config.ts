import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_POOL_SIZE } from './storage/pool-size.js';
import { checkShardPlan, parseShardCount, parseShardIds, type ShardPlan } from './discord/shard-plan.js';

/** The one place that reads process.env. Every other module receives a `Config`. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An http(s) base URL, without credentials, query or fragment; kept without its trailing slash. */
function publicBaseUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The tt-target-idc cookie TikTok gives North American accounts; the library's default too. */
export const DEFAULT_TIKTOK_TARGET_IDC = 'useast1a';

/** Where this bot's source code is offered (AGPL-3.0 section 13); a modified copy must point at its own. */
export const DEFAULT_SOURCE_URL = 'https://github.com/music-review-bot/music-review-bot';

/** An http(s) URL without credentials; a query or fragment may point into a forge's page. */
function isSourceUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return /^https?:$/.test(url.protocol) && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** A proxy for TikTok traffic: http://, https:// or socks5:// (socks5h: DNS through the proxy too). */
function isProxyUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return /^(https?|socks5h?):$/.test(url.protocol) && url.hostname !== '' && !url.search && !url.hash;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  DISCORD_BOT_TOKEN: optionalString,
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    'must be a postgres:// or postgresql:// connection URL',
  ),
  DATABASE_POOL_SIZE: optionalString
    .refine(
      (v) => v === undefined || (/^\d{1,3}$/.test(v) && Number(v) >= 2 && Number(v) <= 100),
      'must be a whole number of connections from 2 to 100',
    )
    .transform((v) => (v === undefined ? DEFAULT_POOL_SIZE : Number(v))),
  ALLOW_ANY_HANDLE_LINKING: booleanFlag,
  LINK_NAMES: z
    .enum(['on', 'off', ''])
    .default('on')
    .transform((v) => v !== 'off'),
  DATA_DIR: z.string().trim().min(1, 'must not be empty (default ./data)').default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DISCORD_API_URL: optionalString.refine(
    (v) => v === undefined || /^https?:\/\/[^/]+(\/.*)?\/api$/.test(v),
    'must be an http(s) URL ending in /api, e.g. http://127.0.0.1:8080/api',
  ),
  DISCORD_DEV_GUILD_ID: optionalString.refine(
    (v) => v === undefined || /^\d{17,20}$/.test(v),
    'must be a Discord server id',
  ),
  DISCORD_SHARD_COUNT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const count = parseShardCount(v);
      if (!(count instanceof Error)) return count;
      ctx.addIssue({ code: 'custom', message: count.message });
      return z.NEVER;
    }),
  DISCORD_SHARDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ids = parseShardIds(v);
      if (!(ids instanceof Error)) return ids;
      ctx.addIssue({ code: 'custom', message: ids.message });
      return z.NEVER;
    }),
  HTTP_HOST: optionalString.refine(
    (v) =>
      v === undefined ||
      isIP(v) !== 0 ||
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(v),
    'must be an IP address or a host name, e.g. 127.0.0.1 (this machine only) or 0.0.0.0',
  ),
  HTTP_PORT: optionalString
    .refine(
      (v) => v === undefined || (/^\d{1,5}$/.test(v) && Number(v) <= 65_535),
      'must be a port number (0-65535)',
    )
    .transform((v) => (v === undefined ? 3000 : Number(v))),
  PUBLIC_URL: optionalString
    .refine(
      (v) => v === undefined || publicBaseUrl(v) !== null,
      'must be an http(s) URL without credentials, query or fragment, e.g. https://bot.example.com',
    )
    .transform((v) => (v === undefined ? undefined : (publicBaseUrl(v) ?? undefined))),
  SOURCE_URL: optionalString
    .refine(
      (v) => v === undefined || isSourceUrl(v),
      'must be an http(s) URL without credentials, e.g. https://git.example.com/you/music-review-bot',
    )
    .transform((v) => v ?? DEFAULT_SOURCE_URL),
  TIKTOK_WEBHOOK_SECRET: optionalString.refine(
    (v) => v === undefined || v.length >= 16,
    'must be at least 16 characters (or empty to turn the webhook off)',
  ),
  TIKTOK_SIGN_API_KEY: optionalString,
  TIKTOK_SIGN_API_URL: optionalString.refine(
    (v) => v === undefined || /^https?:\/\/[^/]+/.test(v),
    'must be an http(s) URL, e.g. https://tiktok.eulerstream.com',
  ),
  TIKTOK_PROXY_URL: optionalString.refine(
    (v) => v === undefined || isProxyUrl(v),
    'must be an http://, https:// or socks5:// proxy URL, e.g. socks5://127.0.0.1:1080',
  ),
  // Cookie values: anything a browser shows except spaces, ; , = and quotes (a pasted "sessionid=…").
  TIKTOK_SESSION_ID: optionalString.refine(
    (v) => v === undefined || /^[^\s;,="]{8,256}$/.test(v),
    'must be the value of the sessionid cookie of a logged-in tiktok.com (the value alone, without "sessionid=")',
  ),
  TIKTOK_TARGET_IDC: optionalString.refine(
    (v) => v === undefined || /^[a-z0-9-]{2,32}$/i.test(v),
    'must be the value of the tt-target-idc cookie of tiktok.com, e.g. useast1a',
  ),
});

/** Every environment setting the bot reads, by name (the README, .env.example and --help list each). */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  discordToken: string | undefined;
  databaseUrl: string | undefined;
  /** PostgreSQL connections of this process's pool; the bot opens them all at start. */
  databasePoolSize: number;
  allowAnyHandleLinking: boolean;
  /**
   * Ask SoundCloud, Spotify, YouTube and Deezer for the artist and title of a link pasted without
   * them (outgoing HTTPS requests); off keeps the name the link itself gives.
   */
  linkNames: boolean;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  discordApiUrl: string | undefined;
  discordDevGuildId: string | undefined;
  /** The Discord shards this process runs, of how many (several processes may share one token). */
  shards: ShardPlan;
  /**
   * Address the HTTP server binds to. Unset, it listens on every interface (as before the setting
   * existed): a relay, OBS on another computer or a container's port mapping can reach it.
   */
  httpHost: string | undefined;
  /** Port of the HTTP server (webhook); 0 picks a free one. */
  httpPort: number;
  /**
   * Where browsers reach the HTTP server (a reverse proxy, a tunnel): the base of the overlay and
   * public page URLs and studio sign-in links. Unset, they use the server's own http://127.0.0.1:port.
   */
  publicUrl: string | undefined;
  /**
   * Where `/about` sends people for the source code. The AGPL obliges whoever runs a modified copy
   * to offer that copy's source to its users, so it is a setting, not a constant.
   */
  sourceUrl: string;
  /** Shared secret of the TikTok relay webhook; unset turns the webhook off. */
  tiktokWebhookSecret: string | undefined;
  tiktokSignApiKey: string | undefined;
  tiktokSignApiUrl: string | undefined;
  /** Proxy for TikTok's pages, API and push WebSocket; may hold a password, so never logged. */
  tiktokProxyUrl: string | undefined;
  /** A logged-in TikTok account, for age-restricted LIVEs; the session id is a secret, never logged. */
  tiktokSession: { sessionId: string; targetIdc: string } | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Parses the environment; throws ConfigError with one readable line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.');
        const detail =
          issue.code === 'invalid_value'
            ? `must be one of ${issue.values
                .filter((v) => v !== '')
                .map(String)
                .join(', ')}`
            : issue.message;
        return `${key}: ${detail}`;
      }),
    );
  }
  const e = parsed.data;
  const shards: ShardPlan = { count: e.DISCORD_SHARD_COUNT, ids: e.DISCORD_SHARDS };
  const shardProblem = checkShardPlan(shards);
  if (shardProblem) throw new ConfigError([shardProblem]);
  return {
    discordToken: e.DISCORD_BOT_TOKEN,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    allowAnyHandleLinking: e.ALLOW_ANY_HANDLE_LINKING,
    linkNames: e.LINK_NAMES,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    discordApiUrl: e.DISCORD_API_URL,
    discordDevGuildId: e.DISCORD_DEV_GUILD_ID,
    shards,
    httpHost: e.HTTP_HOST,
    httpPort: e.HTTP_PORT,
    publicUrl: e.PUBLIC_URL,
    sourceUrl: e.SOURCE_URL,
    tiktokWebhookSecret: e.TIKTOK_WEBHOOK_SECRET,
    tiktokSignApiKey: e.TIKTOK_SIGN_API_KEY,
    tiktokSignApiUrl: e.TIKTOK_SIGN_API_URL,
    tiktokProxyUrl: e.TIKTOK_PROXY_URL,
    tiktokSession:
      e.TIKTOK_SESSION_ID === undefined
        ? undefined
        : {
            sessionId: e.TIKTOK_SESSION_ID,
            // TikTok refuses a session id without its account's data centre; this is TikTok's default.
            targetIdc: e.TIKTOK_TARGET_IDC ?? DEFAULT_TIKTOK_TARGET_IDC,
          },
  };
}

/** The bot itself cannot start without a token; migrations and backups can. */
export function requireDiscordToken(config: Config): string {
  if (!config.discordToken) {
    throw new ConfigError([
      'DISCORD_BOT_TOKEN: missing. Create a bot at https://discord.com/developers/applications, copy its token and put it in .env (see .env.example).',
    ]);
  }
  return config.discordToken;
}

/** Loads `.env` from the working directory when present (Node ≥ 20.12), without overriding real env. */
export function loadDotEnv(file = '.env'): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
