import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupJob, backupsDirOf } from '../../src/features/jobs/backup-job.js';
import { Scheduler, type SchedulerClock } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/logging/logger.js';
import { listBackups, readBackup, writeBackup } from '../../src/storage/backup.js';
import { GUILD, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { until } from '../support/until.js';

/** The name writeBackup gives its temp file for a run at `when` (the /dev/full trick needs it). */
const tempNameFor = (when: Date) =>
  `.backup-${when.toISOString().replace(/[:.]/g, '-')}.json.${process.pid}.tmp`;

type LogLine = { level: number; msg: string } & Record<string, unknown>;

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

  it('the hourly job on a full disk logs an error, keeps older backups, and the next hour writes a backup once space returns', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-job-full-'));
    const dir = backupsDirOf({ dataDir });
    const lines: LogLine[] = [];
    let afterFailure: { files: string[]; first: string } | undefined;
    let first: { file: string; content: string } | undefined;
    const logger = createLogger('info', {
      write(line: string) {
        const entry = JSON.parse(line) as LogLine;
        lines.push(entry);
        // The directory as the failed run left it, before the scheduler's next tick can run again.
        if (entry.msg === 'job failed' && first && !afterFailure)
          afterFailure = { files: readdirSync(dir).sort(), first: readFileSync(first.file, 'utf8') };
      },
    });
    const written = () => lines.filter((l) => l.msg === 'backup written');
    // The scheduler's clock is the test's: each hourly timer fires when the test moves Date to that
    // hour, and the job names its file by that Date.
    const hour = (h: number) => new Date(Date.UTC(2026, 10, 24, h, 0, 0));
    let pending: (() => void) | undefined;
    const clock: SchedulerClock = {
      now: () => Date.now(),
      setTimer: (fn) => (pending = fn),
      clearTimer: () => (pending = undefined),
    };
    const fireAt = async (h: number) => {
      const fire = await until('the next hourly timer', () => pending);
      pending = undefined;
      vi.setSystemTime(hour(h));
      fire();
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    const scheduler = new Scheduler({ database, logger, clock });
    try {
      vi.setSystemTime(new Date(hour(11).getTime() - 3_000));
      scheduler.add(backupJob({ dataDir }, logger));
      await fireAt(11);
      await until('the first backup', () => written()[0]);
      const file = path.join(dir, (await listBackups(dir))[0] ?? 'missing');
      first = { file, content: await fs.readFile(file, 'utf8') };

      // The next hour's run finds the disk full: its temp file points at /dev/full (ENOSPC).
      await fs.symlink('/dev/full', path.join(dir, tempNameFor(hour(12))));
      await fireAt(12);
      const failure = await until('the failed run logged', () => lines.find((l) => l.msg === 'job failed'));
      expect(failure).toMatchObject({ level: 50, job: 'backup', err: { code: 'ENOSPC' } });
      expect(afterFailure).toEqual({ files: [path.basename(first.file)], first: first.content });

      // Space is back (the failed run removed its temp file): the next hour writes a complete backup.
      await fireAt(13);
      await until('a backup after the failure', () => written()[1]);
      const backups = await listBackups(dir);
      expect(backups).toHaveLength(2);
      expect((await readBackup(path.join(dir, backups[1] as string))).userPoints).toHaveLength(1);
      expect(await fs.readFile(first.file, 'utf8')).toBe(first.content);
      expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await scheduler.stop();
      vi.useRealTimers();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
