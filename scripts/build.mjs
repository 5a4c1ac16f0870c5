// `npm run build`: compile src/ to dist/, copy the SQL migrations, and stamp the build for run-built.mjs.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A stale file from a removed source must not ship, so every build starts from an empty dist/.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(path.join(root, 'src', 'storage', 'migrations'), path.join(dist, 'storage', 'migrations'), {
  recursive: true,
});
chmodSync(path.join(dist, 'cli', 'music-review-bot.js'), 0o755);
writeFileSync(path.join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
