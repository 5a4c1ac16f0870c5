import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { httpRoutesFor } from '../../src/http/routes.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { commandAnswer } from './page-support.js';

installUnhandledRejectionGuard();

describe('PUBLIC_URL', () => {
  it('is kept without its trailing slash, and unset when empty', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://bot.example.com/stream/' }).publicUrl).toBe(
      'https://bot.example.com/stream',
    );
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl).toBe('http://10.0.0.5:8080');
    expect(loadConfig({ PUBLIC_URL: '' }).publicUrl).toBeUndefined();
  });

  it.each([
    'bot.example.com',
    'ftp://bot.example.com',
    'https://user:pw@bot.example.com',
    'https://x.example/?a=1',
  ])('refuses %j with a message naming the setting', (value) => {
    expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(/^PUBLIC_URL: must be an http\(s\) URL/);
  });
});

describe('/admin overlay url behind PUBLIC_URL', () => {
  let t: TestBot | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows the overlay URL on the public base, and its path is the page the bot serves', async () => {
    t = await startTestBot({ driver: 'pglite', env: { PUBLIC_URL: 'https://bot.example.com/stream/' } });
    const { content } = await commandAnswer(t, {
      name: 'admin',
      subcommandGroup: 'overlay',
      subcommand: 'url',
    });
    const shown = /<(https:\/\/bot\.example\.com\/stream\/overlay\/[A-Za-z0-9_-]{43})>/.exec(content)?.[1];
    expect(shown, content).toBeDefined();
    // What the proxy forwards to the bot: the same path on the server's own address.
    const local = `${httpRoutesFor(t.bot.ctx).url}${new URL(shown!).pathname.replace(/^\/stream/, '')}`;
    const page = await fetch(local);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});
