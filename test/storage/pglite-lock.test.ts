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
});
