import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SOURCE_URL, loadConfig } from '../../src/config.js';

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
