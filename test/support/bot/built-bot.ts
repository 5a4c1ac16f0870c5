import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The built bot's process entry, what `npm start` runs after building. */
export const BUILT_BOT_ENTRY = path.join(REPO_ROOT, 'dist', 'main.js');

/**
 * The preload that points the built bot's TikTok library at a local webcast and shortens its lease
 * timings (`node --import BUILT_BOT_PROBE dist/main.js`); see the file for its knobs.
 */
export const BUILT_BOT_PROBE = path.join(REPO_ROOT, 'test', 'support', 'bot', 'built-bot-probe.mjs');

/**
 * Builds dist/ when it is missing or older than the sources, by the same rule as `npm start`
 * (scripts/run-built.mjs, asked for the built program's `--help`). Once per test file, before any bot
 * process starts: processes started together must not each rebuild under the others' feet.
 */
export async function ensureBotBuilt(): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts', 'run-built.mjs'), '--help'], {
    cwd: REPO_ROOT,
  });
}
