import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../src/config.js';

const run = promisify(execFile);

/** The program as a newcomer calls it, from the sources. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/music-review-bot.ts', ...args],
      {
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('music-review-bot', () => {
  it('--help lists every command and every setting the bot reads', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['start', 'migrate', 'backup', 'restore', 'export', 'simulate'])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const name of SETTING_NAMES) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('the README and .env.example document every setting', async () => {
    const readme = await fs.readFile('README.md', 'utf8');
    const example = await fs.readFile('.env.example', 'utf8');
    for (const name of SETTING_NAMES) {
      expect(readme, name).toContain(`| \`${name}\``);
      expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await fs.readFile('package.json', 'utf8')) as { version: string };
    expect((await cli('--version')).stdout.trim()).toBe(pkg.version);
  });

  it('a command given --help prints its usage and the settings it reads, and does nothing else', async () => {
    const { code, stdout } = await cli('backup', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: music-review-bot backup');
    expect(stdout).toContain('Settings read: DATABASE_URL, DATA_DIR, LOG_LEVEL.');
  });

  it('an unknown command or missing argument exits with 2 and says what was wrong', async () => {
    const unknown = await cli('serve');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown command: serve\n/);
    const restore = await cli('restore');
    expect(restore.code).toBe(2);
    expect(restore.stderr).toBe(
      'Give the backup file to restore.\nUsage: music-review-bot restore <backup file>\n',
    );
  });

  it('start without a token names the setting to set and exits with 1', async () => {
    const { code, stderr } = await cli('start');
    expect(code).toBe(1);
    expect(stderr).toContain('DISCORD_BOT_TOKEN: missing.');
  });
});
