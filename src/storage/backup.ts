import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { UserFacingError } from '../domain/errors.js';
import { rowsOf, type Queryable } from './connect.js';

/**
 * Hourly backups of what a community cannot get back by other means: engagement points and coins
 * (user_points) and TikTok accounts with their links. JSON, one file per run, newest 48 kept.
 */
export const BACKUP_FORMAT = 'music-review-bot/backup';
export const BACKUP_VERSION = 1;
export const BACKUPS_KEPT = 48;

const balance = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** The carried remainders are `integer` columns: 32 bits, far below a JS number's safe range. */
const carry = z.number().int().min(0).max(2_147_483_647);
/** PostgreSQL text holds no NUL character: refuse it here rather than fail half-way into the INSERT. */
const dbText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'contains a NUL character');
const snowflake = z.string().regex(/^\d{1,25}$/);
const isoTime = z.string().datetime({ offset: true });

const userPointsRow = z.strictObject({
  guild_id: snowflake,
  discord_user_id: snowflake,
  points: balance,
  coins: balance,
  watch_minutes: balance,
  watch_coin_carry: carry,
  updated_at: isoTime,
});

const tiktokAccountRow = z.strictObject({
  guild_id: snowflake,
  tiktok_user_id: z.string().regex(/^\d{1,30}$/),
  handle: dbText(1, 100),
  nickname: dbText(0, 200),
  discord_user_id: snowflake.nullable(),
  linked_at: isoTime.nullable(),
  points: balance,
  coins: balance,
  watch_minutes: balance,
  tiktok_coins_gifted: balance,
  gift_coin_carry: carry,
  watch_coin_carry: carry,
  first_seen_at: isoTime,
  last_seen_at: isoTime,
});

export const backupFileSchema = z
  .strictObject({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(BACKUP_VERSION),
    createdAt: isoTime,
    userPoints: z.array(userPointsRow),
    tiktokAccounts: z.array(tiktokAccountRow),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of file.userPoints.entries()) {
      const key = `${r.guild_id}/${r.discord_user_id}`;
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['userPoints', i], message: `duplicate user ${key}` });
      seen.add(key);
    }
    const accounts = new Set<string>();
    const linked = new Set<string>();
    for (const [i, r] of file.tiktokAccounts.entries()) {
      const key = `${r.guild_id}/${r.tiktok_user_id}`;
      if (accounts.has(key))
        ctx.addIssue({ code: 'custom', path: ['tiktokAccounts', i], message: `duplicate account ${key}` });
      accounts.add(key);
      if (r.discord_user_id) {
        const link = `${r.guild_id}/${r.discord_user_id}`;
        if (linked.has(link)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tiktokAccounts', i],
            message: `Discord user ${link} linked twice`,
          });
        }
        linked.add(link);
      }
    }
  });

export type BackupFile = z.infer<typeof backupFileSchema>;

export interface BackupResult {
  file: string;
  userPoints: number;
  tiktokAccounts: number;
}

const USER_POINTS_COLUMNS =
  'guild_id, discord_user_id, points, coins, watch_minutes, watch_coin_carry, updated_at';
const TIKTOK_COLUMNS = `guild_id, tiktok_user_id, handle, nickname, discord_user_id, linked_at, points, coins,
  watch_minutes, tiktok_coins_gifted, gift_coin_carry, watch_coin_carry, first_seen_at, last_seen_at`;

/** Timestamps leave as ISO-8601 text so the file reads the same whichever driver wrote it. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export async function writeBackup(db: Queryable, dir: string, now: Date = new Date()): Promise<BackupResult> {
  const userPoints = await rowsOf<BackupFile['userPoints'][number]>(
    db,
    sql.raw(`SELECT ${USER_POINTS_COLUMNS.replace('updated_at', `${iso('updated_at')} AS updated_at`)}
             FROM user_points ORDER BY guild_id, discord_user_id`),
  );
  const tiktokAccounts = await rowsOf<BackupFile['tiktokAccounts'][number]>(
    db,
    sql.raw(`SELECT ${TIKTOK_COLUMNS.replace('linked_at', `${iso('linked_at')} AS linked_at`)
      .replace('first_seen_at', `${iso('first_seen_at')} AS first_seen_at`)
      .replace('last_seen_at', `${iso('last_seen_at')} AS last_seen_at`)}
             FROM tiktok_accounts ORDER BY guild_id, tiktok_user_id`),
  );
  const body: BackupFile = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: now.toISOString(),
    userPoints,
    tiktokAccounts,
  };
  await fs.mkdir(dir, { recursive: true });
  const name = `backup-${now.toISOString().replace(/[:.]/g, '-')}.json`;
  const target = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    await fs.writeFile(temp, JSON.stringify(body));
    // rename is atomic: a crash leaves either no file or a whole one, never a truncated backup.
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await pruneBackups(dir);
  return { file: target, userPoints: userPoints.length, tiktokAccounts: tiktokAccounts.length };
}

export async function listBackups(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.filter((n) => /^backup-.*\.json$/.test(n)).sort();
}

async function pruneBackups(dir: string): Promise<void> {
  const all = await listBackups(dir);
  for (const old of all.slice(0, Math.max(0, all.length - BACKUPS_KEPT))) {
    await fs.rm(path.join(dir, old), { force: true });
  }
}

/** Reads and validates a backup file completely; throws UserFacingError saying what is wrong. */
export async function readBackup(file: string): Promise<BackupFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new UserFacingError(
      'invalid_backup',
      `${path.basename(file)} is not a readable JSON backup: ${(error as Error).message}`,
    );
  }
  const parsed = backupFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new UserFacingError(
      'invalid_backup',
      `${path.basename(file)} is not a valid backup; nothing was restored.\n${problems.join('\n')}`,
    );
  }
  return parsed.data;
}

/**
 * Replaces user_points and tiktok_accounts of the guilds in the file with the file's rows, in one
 * transaction, after the whole file validated. Other guilds are untouched.
 */
export async function restoreBackup(db: Queryable, file: string): Promise<BackupResult> {
  const backup = await readBackup(file);
  const guilds = [...new Set([...backup.userPoints, ...backup.tiktokAccounts].map((r) => r.guild_id))];
  await db.transaction(async (tx) => {
    const guildParam = sql.param(guilds);
    await tx.execute(sql`DELETE FROM user_points WHERE guild_id = ANY(${guildParam}::text[])`);
    await tx.execute(sql`DELETE FROM tiktok_accounts WHERE guild_id = ANY(${guildParam}::text[])`);
    if (backup.userPoints.length > 0) {
      await tx.execute(sql`INSERT INTO user_points (${sql.raw(USER_POINTS_COLUMNS)})
        SELECT ${sql.raw(USER_POINTS_COLUMNS)} FROM json_populate_recordset(NULL::user_points, ${JSON.stringify(backup.userPoints)}::json)`);
    }
    if (backup.tiktokAccounts.length > 0) {
      await tx.execute(sql`INSERT INTO tiktok_accounts (${sql.raw(TIKTOK_COLUMNS)})
        SELECT ${sql.raw(TIKTOK_COLUMNS)} FROM json_populate_recordset(NULL::tiktok_accounts, ${JSON.stringify(backup.tiktokAccounts)}::json)`);
    }
  });
  return { file, userPoints: backup.userPoints.length, tiktokAccounts: backup.tiktokAccounts.length };
}
