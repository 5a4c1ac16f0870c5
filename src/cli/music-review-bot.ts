#!/usr/bin/env node
// The installed program: `music-review-bot <command>`. Runs the built JavaScript; needs no TypeScript tooling.
import { ConfigError } from '../config.js';
import { CLI_COMMANDS, type CliCommand } from './commands.js';
import { packageVersion } from './package-info.js';
import { UsageError } from './run-cli.js';

const PROGRAM = 'music-review-bot';

function helpText(): string {
  const width = Math.max(...CLI_COMMANDS.map((c) => c.name.length));
  const lines = [
    `${PROGRAM} ${packageVersion()}: the song queue of a music-review live stream on TikTok LIVE, run from Discord.`,
    '',
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...CLI_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options and the settings it reads.`,
    'Settings come from the environment or from a .env file in the working directory:',
    ...SETTING_LINES,
  ];
  return lines.join('\n');
}

const SETTING_LINES = [
  '  DISCORD_BOT_TOKEN         the bot token from the Discord developer portal (required by start)',
  '  DATABASE_URL              PostgreSQL server; unset: an embedded database in DATA_DIR/db',
  '  DATABASE_POOL_SIZE        PostgreSQL connections the bot keeps open (default 20)',
  '  DATA_DIR                  uploads, backups and the embedded database (default ./data)',
  '  LOG_LEVEL                 fatal, error, warn, info (default), debug, trace or silent',
  '  HTTP_PORT                 port of the overlay pages, /healthz and the webhook (default 3000)',
  '  HTTP_HOST                 address that server listens on (default: every interface)',
  '  PUBLIC_URL                address browsers and OBS reach that server at',
  '  SOURCE_URL                where /about points for the source code (AGPL)',
  '  ALLOW_ANY_HANDLE_LINKING  true: link TikTok handles without proof (default false)',
  "  LINK_NAMES                off: don't ask the platforms to name pasted links (default on)",
  '  TIKTOK_WEBHOOK_SECRET     secret of the TikTok relay webhook (unset: webhook off)',
  '  TIKTOK_SIGN_API_KEY       Euler Stream sign-server API key',
  '  TIKTOK_SIGN_API_URL       base URL of a self-hosted sign server',
  '  TIKTOK_PROXY_URL          http://, https:// or socks5:// proxy for TikTok LIVE traffic',
  '  TIKTOK_SESSION_ID         sessionid cookie of a tiktok.com login, for age-restricted LIVEs',
  '  TIKTOK_TARGET_IDC         tt-target-idc cookie of that login (default useast1a)',
  '  DISCORD_API_URL           send Discord REST through a proxy (…/api)',
  '  DISCORD_DEV_GUILD_ID      register slash commands in this one server only',
  '  DISCORD_SHARD_COUNT       total gateway shards: auto (Discord recommends, default) or a number',
  '  DISCORD_SHARDS            shards this process runs: all (default) or a list such as 0-3,8',
];

function commandHelp(command: CliCommand): string {
  return [
    `Usage: ${PROGRAM} ${command.usage}`,
    '',
    command.summary,
    '',
    `Settings read: ${command.settings.join(', ')}.`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(packageVersion());
    return 0;
  }
  const command = CLI_COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`Unknown command: ${name}\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    await (await command.load()).run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nUsage: ${PROGRAM} ${command.usage}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(`Configuration problem:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
      return 1;
    }
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

process.exitCode = await main(process.argv.slice(2));
