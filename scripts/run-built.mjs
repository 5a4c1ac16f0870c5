// `npm start` and the other npm scripts in a checkout: build only when the build is missing or older
// than the sources, then run the built program in this same process (no second Node to signal).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, 'dist', '.build-stamp');
const entry = path.join(root, 'dist', 'cli', 'music-review-bot.js');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(stamp) || !existsSync(entry)) return false;
  const inputs = Math.max(
    newestSource(path.join(root, 'src')),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map(
      (f) => statSync(path.join(root, f)).mtimeMs,
    ),
  );
  return statSync(stamp).mtimeMs >= inputs;
}

if (!buildIsCurrent()) {
  if (!existsSync(path.join(root, 'node_modules', 'typescript'))) {
    console.error(
      existsSync(entry)
        ? 'The build in dist/ is older than the sources, and TypeScript is not installed to rebuild it: run `npm ci` (with dev dependencies), or install the packed release instead.'
        : 'The bot is not built yet, and TypeScript is not installed to build it: run `npm ci` (with dev dependencies) first.',
    );
    process.exit(1);
  }
  console.error('Building the bot (the sources changed since the last build)…');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

process.argv.splice(1, 1, entry);
await import(entry);
