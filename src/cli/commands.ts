/**
 * The commands of the `music-review-bot` program: what each does, how it is called, and which
 * settings it reads. Loaded lazily, so `--help` starts no database, Discord or TikTok code.
 */
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  /** Environment settings this command reads (see the README's configuration table). */
  settings: readonly string[];
  load(): Promise<{ run(argv: string[]): Promise<void> }>;
}

const DATABASE_SETTINGS = ['DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL'] as const;

export const CLI_COMMANDS: readonly CliCommand[] = [
  {
    name: 'start',
    usage: 'start',
    summary: 'Run the bot: migrate the database, connect to Discord, serve the overlay pages.',
    settings: ['every setting below; DISCORD_BOT_TOKEN is required'],
    load: () => import('./start.js'),
  },
  {
    name: 'migrate',
    usage: 'migrate',
    summary: 'Apply database migrations and report the schema version (start does this too).',
    settings: DATABASE_SETTINGS,
    load: () => import('./migrate.js'),
  },
  {
    name: 'backup',
    usage: 'backup',
    summary: 'Write a JSON backup of points and linked TikTok accounts to DATA_DIR/backups.',
    settings: DATABASE_SETTINGS,
    load: () => import('./backup.js'),
  },
  {
    name: 'restore',
    usage: 'restore <backup file>',
    summary: 'Restore points and linked TikTok accounts from a backup file (all or nothing).',
    settings: DATABASE_SETTINGS,
    load: () => import('./restore.js'),
  },
  {
    name: 'export',
    usage: 'export --guild <server id> --session <session id|latest> --out <directory>',
    summary: "Export a live session's metrics as CSV, JSON and a PNG chart.",
    settings: DATABASE_SETTINGS,
    load: () => import('./export.js'),
  },
  {
    name: 'simulate',
    usage:
      'simulate --guild <server id> [--url http://127.0.0.1:3000] [--code CODE --handle NAME] [--keep-live] [--fast]',
    summary: 'Play a scripted TikTok LIVE into a running bot through its relay webhook.',
    settings: ['TIKTOK_WEBHOOK_SECRET'],
    load: () => import('./simulate.js'),
  },
];
