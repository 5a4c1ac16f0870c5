import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/domain/errors.js';
import { getBalances } from '../../src/storage/balances-repo.js';
import { BACKUPS_KEPT, listBackups, restoreBackup, writeBackup } from '../../src/storage/backup.js';
import { GUILD, linkTikTok, OTHER_GUILD, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('backups on %s', (kind) => {
  const database = useTestDatabase(kind);
  let dir: string;
  const db = () => database.db;
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

  async function restoreEdited(edit: (body: Record<string, Record<string, unknown>[]>) => void) {
    const { file } = await writeBackup(db(), dir);
    const body = JSON.parse(await fs.readFile(file, 'utf8'));
    edit(body);
    const edited = path.join(dir, 'edited.json');
    await fs.writeFile(edited, JSON.stringify(body));
    return restoreBackup(db(), edited).catch((e: unknown) => e);
  }

  it('refuses a carried remainder too big for its integer column, before touching the database', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 12, 340);
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', coins: 60 });
    const error = await restoreEdited((body) => {
      body.tiktokAccounts![0]!.gift_coin_carry = 3e9;
      body.userPoints![0]!.watch_coin_carry = 2 ** 31;
    });
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/nothing was restored/);
    expect((error as Error).message).toMatch(/userPoints\.0\.watch_coin_carry: .*2147483647/);
    expect((error as Error).message).toMatch(/tiktokAccounts\.0\.gift_coin_carry: .*2147483647/);
    expect(await getBalances(db(), GUILD, userId(1))).toMatchObject({ discordCoins: 340, totalCoins: 400 });
  });

  it('takes the largest remainder its integer column holds', async () => {
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', coins: 60 });
    const result = await restoreEdited((body) => {
      body.tiktokAccounts![0]!.watch_coin_carry = 2 ** 31 - 1;
    });
    expect(result).toMatchObject({ tiktokAccounts: 1 });
  });

  it('refuses text PostgreSQL cannot store (a NUL character) and changes nothing', async () => {
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', coins: 60 });
    const error = await restoreEdited((body) => {
      body.tiktokAccounts![0]!.nickname = 'bad\u0000name';
    });
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/tiktokAccounts\.0\.nickname/);
    expect((await getBalances(db(), GUILD, userId(1))).tiktok?.handle).toBe('fan');
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
