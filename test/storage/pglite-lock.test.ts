import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/storage/connect.js';

const CHILD = path.resolve('test/support/db/open-pglite.ts');

function openInChild(dir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('opened')) child.stdin.end();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const LOCKER = path.resolve('test/support/db/lock-data-dir.ts');

/** A child process that takes and releases the lock on command, answering one line each time. */
function lockerInChild(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', LOCKER, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return {
    next: () =>
      new Promise<string>((resolve) => {
        const line = lines.shift();
        if (line !== undefined) resolve(line);
        else waiting.push(resolve);
      }),
    send: (line: string) => child.stdin.write(`${line}\n`),
    end: () => child.stdin.end(),
  };
}

describe('embedded database directory lock', () => {
  let open: Database | undefined;
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });

  it('refuses a second process with a clear message while the first holds the directory', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-')), 'db');
    open = await connectDatabase({ pgliteDir: dir });
    const second = await openInChild(dir);
    expect(second.code).toBe(3);
    expect(second.output).toMatch(/in use by another bot process \(pid \d+\)/);
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-')), 'db');
    // A pid that cannot be alive: above the kernel's pid_max.
    await fs.writeFile(`${dir}.lock`, '99999999');
    open = await connectDatabase({ pgliteDir: dir });
    expect(await fs.readFile(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
    await open.close();
    open = undefined;
    await expect(fs.access(`${dir}.lock`)).rejects.toThrow();
    const reopened = await openInChild(dir);
    expect(reopened).toMatchObject({ code: 0 });
  });

  it('takes over a lock naming its own pid when an earlier run left it (pid 1 in a container)', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-')), 'db');
    await fs.writeFile(`${dir}.lock`, String(process.pid));
    open = await connectDatabase({ pgliteDir: dir });
    await expect(connectDatabase({ pgliteDir: dir })).rejects.toThrow(
      `The embedded database in ${dir} is already open in this process.`,
    );
  });

  it('treats a lock file that names no pid yet as held, and leaves it in place', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-')), 'db');
    await fs.writeFile(`${dir}.lock`, '');
    await expect(connectDatabase({ pgliteDir: dir })).rejects.toThrow(
      `The embedded database in ${dir} is in use by another bot process (its lock ${dir}.lock names no pid yet).`,
    );
    expect(await fs.readFile(`${dir}.lock`, 'utf8')).toBe('');
    await expect(fs.access(dir)).rejects.toThrow();
  });

  it('takes over a lock file that has named no pid for over a minute', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-')), 'db');
    await fs.writeFile(`${dir}.lock`, '');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await fs.utimes(`${dir}.lock`, twoMinutesAgo, twoMinutesAgo);
    open = await connectDatabase({ pgliteDir: dir });
    expect(await fs.readFile(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
  });

  it('lets exactly one of several processes racing over a dead lock take it', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pglite-')), 'db');
    const racers = Array.from({ length: 4 }, () => lockerInChild(dir));
    try {
      await Promise.all(racers.map((r) => r.next()));
      for (let round = 0; round < 100; round++) {
        await fs.writeFile(`${dir}.lock`, '99999999');
        for (const r of racers) r.send('go');
        const outcomes = await Promise.all(racers.map((r) => r.next()));
        expect(
          outcomes.filter((o) => o === 'locked'),
          `round ${round}: ${outcomes.join(' | ')}`,
        ).toHaveLength(1);
        for (const r of racers) r.send('release');
        await Promise.all(racers.map((r) => r.next()));
      }
    } finally {
      for (const r of racers) r.end();
    }
  });
});
