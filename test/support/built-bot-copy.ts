import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A build of the bot in a temporary folder of its own, whose files a test or benchmark may edit. */
export interface BuiltBotCopy {
  /** The built program: `node <entry> start`. */
  entry: string;
  /** The build's folder (what dist/ is in the checkout). */
  dist: string;
  remove(): Promise<void>;
}

/**
 * Builds the checkout with scripts/build.mjs into a temporary folder. The built files find their
 * packages (a link to the checkout's node_modules) and a package.json with "type": "module" above
 * them, as dist/ does in the checkout.
 */
export async function buildBotCopy(): Promise<BuiltBotCopy> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-build-'));
  await fs.copyFile(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  const dist = path.join(root, 'dist');
  const remove = () => fs.rm(root, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs'), dist]).catch(
    async (error: unknown) => {
      await remove();
      throw error;
    },
  );
  return {
    entry: path.join(dist, 'cli', 'music-review-bot.js'),
    dist,
    remove,
  };
}
