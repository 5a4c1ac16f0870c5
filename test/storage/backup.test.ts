import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/domain/errors.js';
import { getBalances } from '../../src/storage/balances-repo.js';
import { BACKUPS_KEPT, listBackups, restoreBackup, writeBackup } from '../../src/storage/backup.js';
import { GUILD, linkTikTok, OTHER_GUILD, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, openTestDatabase, type TestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('backups on %s', (kind) => {
  let database: TestDatabase;
  let dir: string;
  const db = () => database.db;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-backup-'));
  });

  it('round-trips points, coins and TikTok links of every guild', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 12, 340);
    await setDiscordPoints(db(), OTHER_GUILD, userId(2), 1, 2);
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 8, coins: 60 });
    const result = await writeBackup(db(), dir, new Date('2026-11-24T12:00:00Z'));
    expect(result).toMatchObject({ userPoints: 2, tiktokAccounts: 1 });
    expect(path.basename(result.file)).toBe('backup-2026-11-24T12-00-00-000Z.json');

    await setDiscordPoints(db(), GUILD, userId(1), 0, 0);
    await setDiscordPoints(db(), GUILD, userId(3), 99, 99);
    await restoreBackup(db(), result.file);
    expect(await getBalances(db(), GUILD, userId(1))).toMatchObject({
      discordPoints: 12,
      discordCoins: 340,
      totalCoins: 400,
    });
    expect(await getBalances(db(), GUILD, userId(3))).toMatchObject({ totalPoints: 0 });
    expect((await getBalances(db(), OTHER_GUILD, userId(2))).discordCoins).toBe(2);
  });

  it('refuses a corrupted file, says why, and changes nothing', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 12, 340);
    const { file } = await writeBackup(db(), dir);
    const body = JSON.parse(await fs.readFile(file, 'utf8'));
    body.userPoints[0].coins = -5;
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, JSON.stringify(body));
    await setDiscordPoints(db(), GUILD, userId(1), 1, 1);
    const error = await restoreBackup(db(), bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/userPoints\.0\.coins/);
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(1);

    const truncated = path.join(dir, 'truncated.json');
    await fs.writeFile(truncated, (await fs.readFile(file, 'utf8')).slice(0, 40));
    await expect(restoreBackup(db(), truncated)).rejects.toThrow(/not a readable JSON backup/);
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(1);
  });

  it(`keeps the newest ${BACKUPS_KEPT} files`, async () => {
    const start = Date.parse('2026-11-01T00:00:00Z');
    for (let h = 0; h < BACKUPS_KEPT + 3; h++) await writeBackup(db(), dir, new Date(start + h * 3_600_000));
    const files = await listBackups(dir);
    expect(files).toHaveLength(BACKUPS_KEPT);
    expect(files[0]).toBe('backup-2026-11-01T03-00-00-000Z.json');
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
