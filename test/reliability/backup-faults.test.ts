import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups, writeBackup } from '../../src/storage/backup.js';
import { GUILD, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';

describe('backups when the disk misbehaves', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await setDiscordPoints(database.db, GUILD, userId(1), 5, 50);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('fails on a full disk, leaves older backups intact and no partial file, and succeeds when space returns', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-full-'));
    const first = await writeBackup(database.db, dir, new Date('2026-11-24T10:00:00Z'));
    const original = await fs.readFile(first.file, 'utf8');

    // The next run's temp file is made to point at /dev/full: the kernel answers ENOSPC.
    const when = new Date('2026-11-24T11:00:00Z');
    const name = `backup-${when.toISOString().replace(/[:.]/g, '-')}.json`;
    await fs.symlink('/dev/full', path.join(dir, `.${name}.${process.pid}.tmp`));
    await expect(writeBackup(database.db, dir, when)).rejects.toMatchObject({ code: 'ENOSPC' });

    expect(await listBackups(dir)).toEqual([path.basename(first.file)]);
    expect(await fs.readFile(first.file, 'utf8')).toBe(original);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const next = await writeBackup(database.db, dir, new Date('2026-11-24T12:00:00Z'));
    expect(next.userPoints).toBe(1);
    expect(await listBackups(dir)).toHaveLength(2);
  });

  it('fails when the backup directory cannot be created, without touching anything else', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-nodir-'));
    const blocker = path.join(parent, 'backups');
    await fs.writeFile(blocker, 'not a directory');
    await expect(writeBackup(database.db, blocker)).rejects.toMatchObject({
      code: expect.stringMatching(/EEXIST|ENOTDIR/),
    });
    expect(await fs.readFile(blocker, 'utf8')).toBe('not a directory');
  });
});
