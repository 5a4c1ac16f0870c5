import { existsSync } from 'node:fs';
import { isForced } from './forcing-switch.js';

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

// Both binaries get these flags. @sparticuz/chromium's own `args` are for AWS Lambda: with its
// `--single-process` the browser exits when Playwright closes the first page, and its
// `--disable-web-security` would let the pages under test do what a viewer's browser forbids.
const QUIET_HEADLESS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The Debian Chromium when installed, else the one that ships in `@sparticuz/chromium` (unpacked to
 * the temp directory on first use, so here once rather than in racing workers).
 */
export async function chooseChromium(): Promise<{ launch: ChromiumLaunch; description: string }> {
  const forced = isForced('MRB_TEST_CHROMIUM', 'npm');
  if (!forced && existsSync(DEBIAN_CHROMIUM)) {
    return {
      launch: { executablePath: DEBIAN_CHROMIUM, args: QUIET_HEADLESS },
      description: DEBIAN_CHROMIUM,
    };
  }
  const { default: sparticuz } = await import('@sparticuz/chromium');
  const executablePath = await sparticuz.executablePath();
  const why = forced ? 'MRB_TEST_CHROMIUM=npm' : `${DEBIAN_CHROMIUM} is missing`;
  return {
    launch: { executablePath, args: QUIET_HEADLESS },
    description: `@sparticuz/chromium at ${executablePath} (${why})`,
  };
}
