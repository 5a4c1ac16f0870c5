import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageFlags } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SOURCE_URL, loadConfig } from '../../src/config.js';
import { readPackageInfo } from '../../src/features/guide/about-command.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';

installUnhandledRejectionGuard();

describe('SOURCE_URL', () => {
  it('defaults to the upstream repository', () => {
    expect(loadConfig({}).sourceUrl).toBe('https://github.com/music-review-bot/music-review-bot');
    expect(loadConfig({ SOURCE_URL: '  ' }).sourceUrl).toBe(DEFAULT_SOURCE_URL);
  });

  it('takes any http(s) URL, a path, query or fragment included', () => {
    const url = 'https://git.example.com/someone/fork/-/tree/main?ref=live#readme';
    expect(loadConfig({ SOURCE_URL: ` ${url} ` }).sourceUrl).toBe(url);
    expect(loadConfig({ SOURCE_URL: 'http://10.0.0.5:3000/bot' }).sourceUrl).toBe('http://10.0.0.5:3000/bot');
  });

  it.each([
    'github.com/me/bot',
    'ftp://example.com/bot.tar.gz',
    'javascript:alert(1)',
    'https://me:pw@x.org',
  ])('refuses %s with the reason', (value) => {
    expect(() => loadConfig({ SOURCE_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SOURCE_URL: value })).toThrow(/^SOURCE_URL: must be an http\(s\) URL/);
  });
});

describe('reading the version', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-about-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('finds package.json next to dist/, as an npm tarball installs it', async () => {
    // The layout `npm install` leaves: package/package.json and package/dist/features/guide/*.js.
    await fs.mkdir(path.join(dir, 'dist/features/guide'), { recursive: true });
    await fs.writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'music-review-bot', version: '9.8.7', description: 'A fork' }),
    );
    const moduleUrl = pathToFileURL(path.join(dir, 'dist/features/guide/about-command.js'));
    expect(await readPackageInfo(new URL('../../../package.json', moduleUrl))).toEqual({
      name: 'music-review-bot',
      version: '9.8.7',
      description: 'A fork',
    });
  });

  it('reads the checkout’s own package.json by default', async () => {
    const own = JSON.parse(await fs.readFile('package.json', 'utf8')) as { version: string };
    expect((await readPackageInfo()).version).toBe(own.version);
  });
});

describe('/about', () => {
  const database = useTestDatabase('postgres');
  let t: TestBot;
  afterEach(() => t.close());

  async function about() {
    const handle = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.viewer,
      name: 'about',
    });
    const { body } = await handle.reply();
    expect(Number(body.data.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(body.data.allowed_mentions).toEqual({ parse: [] });
    return String(body.data.content);
  }

  it('shows the version from package.json and the default source link', async () => {
    await database.reset();
    t = await startTestBot({ database });
    const { version } = JSON.parse(await fs.readFile('package.json', 'utf8')) as { version: string };
    const content = await about();
    expect(content).toContain(`**music-review-bot** version ${version}`);
    expect(content).toContain(`Source code: <${DEFAULT_SOURCE_URL}>`);
    expect(content).toContain('GNU AGPL');
  });

  it('links to SOURCE_URL when set, as a modified copy must', async () => {
    await database.reset();
    t = await startTestBot({ database, env: { SOURCE_URL: 'https://git.example.com/fork/bot' } });
    const content = await about();
    expect(content).toContain('Source code: <https://git.example.com/fork/bot>');
    expect(content).not.toContain(DEFAULT_SOURCE_URL);
  });
});
