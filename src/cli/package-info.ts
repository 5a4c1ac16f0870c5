import { readFileSync } from 'node:fs';

/**
 * The package's own package.json. From src/cli (a checkout) and from dist/cli (a checkout's build or
 * an installed tarball) it is two folders up.
 */
function readPackageJson(): { version: string } {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
}

let cached: string | undefined;

export function packageVersion(): string {
  cached ??= readPackageJson().version;
  return cached;
}
