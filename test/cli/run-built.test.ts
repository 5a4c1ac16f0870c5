import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * scripts/run-built.mjs (what `npm start` runs in a checkout) in a copy of the project layout whose
 * "build" is a one-line program and which has no TypeScript installed: a current build runs at once,
 * a stale or missing one is never run and the message says what to do.
 */
let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-run-built-'));
  await fs.mkdir(path.join(root, 'scripts'));
  await fs.copyFile('scripts/run-built.mjs', path.join(root, 'scripts', 'run-built.mjs'));
  await fs.mkdir(path.join(root, 'src'));
  await fs.writeFile(path.join(root, 'src', 'main.ts'), '');
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json'])
    await fs.writeFile(path.join(root, file), '{}');
  await fs.mkdir(path.join(root, 'dist', 'cli'), { recursive: true });
  await fs.writeFile(
    path.join(root, 'dist', 'cli', 'music-review-bot.js'),
    'console.log(`built program ran with ${process.argv.slice(2).join(" ")}`);',
  );
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function runBuilt(...args: string[]) {
  try {
    const out = await run(process.execPath, [path.join(root, 'scripts', 'run-built.mjs'), ...args]);
    return { code: 0, ...out };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

async function touch(file: string, when: Date) {
  await fs.utimes(path.join(root, file), when, when);
}

it('runs the build without rebuilding when the build is newer than every source', async () => {
  const stamp = path.join(root, 'dist', '.build-stamp');
  await fs.writeFile(stamp, '');
  await touch('src/main.ts', new Date(Date.now() - 60_000));
  const result = await runBuilt('start');
  expect(result.stdout).toBe('built program ran with start\n');
  expect(result.code).toBe(0);
});

it('refuses a build older than a source when TypeScript is not there to rebuild it', async () => {
  await fs.writeFile(path.join(root, 'dist', '.build-stamp'), '');
  await touch('dist/.build-stamp', new Date(Date.now() - 60_000));
  const result = await runBuilt('start');
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('older than the sources');
});

it('says the bot is not built yet when there is no build', async () => {
  await fs.rm(path.join(root, 'dist'), { recursive: true });
  const result = await runBuilt('migrate');
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('not built yet');
});
