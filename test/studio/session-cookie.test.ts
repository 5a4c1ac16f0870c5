import { describe, expect, it } from 'vitest';
import { sentFromThisSite, sessionCookie } from '../../src/features/studio/studio-auth.js';

const token = 'a'.repeat(43);

describe('the studio session cookie', () => {
  it('is Secure when browsers reach the bot over https (PUBLIC_URL), and not over plain http', () => {
    expect(sessionCookie(token, 'https://bot.example.com')).toBe(
      `mrb_studio=${token}; Max-Age=43200; Path=/studio; HttpOnly; Secure; SameSite=Strict`,
    );
    expect(sessionCookie(token, 'http://127.0.0.1:3000')).not.toContain('Secure');
    expect(sessionCookie(token, undefined)).not.toContain('Secure');
  });
});

describe('same-site check behind a proxy', () => {
  it('accepts the PUBLIC_URL origin even when the proxy rewrote Host, and nothing else', () => {
    const proxied = { host: '127.0.0.1:3000', 'sec-fetch-site': 'same-origin' };
    expect(
      sentFromThisSite({ ...proxied, origin: 'https://bot.example.com' }, 'https://bot.example.com'),
    ).toBe(true);
    expect(sentFromThisSite({ ...proxied, origin: 'https://evil.example' }, 'https://bot.example.com')).toBe(
      false,
    );
    expect(
      sentFromThisSite({ ...proxied, origin: 'http://bot.example.com' }, 'https://bot.example.com'),
    ).toBe(false);
  });
});
