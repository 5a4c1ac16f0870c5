// `npm run build`: compile src/ to dist/, copy the SQL migrations, and stamp the build for run-built.mjs.
// `node scripts/build.mjs <folder>` builds into another folder instead (tests build a copy to edit);
// the built files import their packages from the nearest node_modules and need a package.json with
// "type": "module" above them, as dist/ has in the checkout.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const chosen = process.argv[2];
const dist = chosen ? path.resolve(chosen) : path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A stale file from a removed source must not ship, so every build starts from an empty dist/.
// A chosen folder that is neither empty nor an earlier build is left alone rather than emptied.
if (
  chosen &&
  existsSync(dist) &&
  readdirSync(dist).length > 0 &&
  !existsSync(path.join(dist, '.build-stamp'))
) {
  console.error(`${dist} is not empty and holds no earlier build; choose another folder.`);
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist], {
  stdio: 'inherit',
});
cpSync(path.join(root, 'src', 'storage', 'migrations'), path.join(dist, 'storage', 'migrations'), {
  recursive: true,
});
chmodSync(path.join(dist, 'cli', 'music-review-bot.js'), 0o755);
writeFileSync(path.join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
