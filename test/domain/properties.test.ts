/**
 * Properties over hostile and extreme input that the example-based domain suites don't reach:
 * generated host names against the link allow list, skip amounts over the whole number line, and
 * coin arithmetic up to 2^53 − 1 (the largest balance both JavaScript and PostgreSQL bigint hold
 * exactly). Each property is checked against an independent statement of the rule, not the code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCoins, convertWithCarry, spend } from '../../src/domain/coins.js';
import { UserFacingError } from '../../src/domain/errors.js';
import { classifyLink } from '../../src/domain/links.js';
import { MAX_SKIP_AMOUNT, SKIP_TIER_AMOUNT, skipAmountToTier } from '../../src/domain/skips.js';
import { SKIP_TIERS, tierRank } from '../../src/domain/tiers.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('classifyLink never accepts a host off the allow list', () => {
  /** The product's allow list, written out here so a loosened rule in links.ts fails this test. */
  const ALLOWED_HOSTS = new Set([
    'soundcloud.com',
    'www.soundcloud.com',
    'm.soundcloud.com',
    'on.soundcloud.com',
    'open.spotify.com',
    'spotify.link',
    'youtube.com',
    'www.youtube.com',
    'm.youtube.com',
    'music.youtube.com',
    'youtu.be',
    'deezer.com',
    'www.deezer.com',
    'link.deezer.com',
    'deezer.page.link',
    'ditto.fm',
    'www.ditto.fm',
  ]);
  /** Ditto mints a subdomain per release: any DNS labels (no punycode) in front of ditto.fm. */
  const isAllowed = (host: string) =>
    ALLOWED_HOSTS.has(host) ||
    (/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+ditto\.fm$/.test(host) &&
      !host.split('.').some((l) => l.startsWith('xn--')));

  /** Characters that look like, or the URL parser folds into, the ones of real hosts. */
  const LOOKALIKES = [
    'ѕ',
    'о',
    'а',
    'е',
    'і',
    'ԁ',
    'у',
    'ｏ',
    '．',
    '。',
    '0',
    '1',
    'l',
    '-',
    '.',
    '_',
    '%2e',
    '@',
    ':',
    '\\',
    '/',
    '#',
    '?',
    ' ',
    '\u200b',
    '\u00ad',
  ];

  const mutatedHost = fc
    .tuple(
      fc.constantFrom(...ALLOWED_HOSTS),
      fc.constantFrom('insert', 'replace', 'delete', 'prefix', 'suffix', 'upper', 'trailing-dot'),
      fc.nat(),
      fc.constantFrom(...LOOKALIKES),
      fc.domain(),
    )
    .map(([host, how, at, char, domain]) => {
      const i = at % (host.length + 1);
      switch (how) {
        case 'insert':
          return host.slice(0, i) + char + host.slice(i);
        case 'replace':
          return host.slice(0, i) + char + host.slice(i + 1);
        case 'delete':
          return host.slice(0, i) + host.slice(i + 1);
        case 'prefix':
          return `${domain.split('.')[0]}${char}${host}`;
        case 'suffix':
          return `${host}${char}${domain}`;
        case 'upper':
          return host.toUpperCase();
        case 'trailing-dot':
          return `${host}.`;
      }
    });

  const host = fc.oneof(
    { arbitrary: mutatedHost, weight: 6 },
    { arbitrary: fc.constantFrom(...ALLOWED_HOSTS), weight: 2 },
    { arbitrary: fc.domain(), weight: 1 },
    { arbitrary: fc.ipV4(), weight: 1 },
    { arbitrary: fc.ipV6().map((ip) => `[${ip}]`), weight: 1 },
  );

  /** Paths that are songs on one platform or another, so an accepted host would be accepted whole. */
  const songPath = fc.constantFrom(
    '/artist/track',
    '/track/4uLU6hMCjMI75M1A2tKUQC',
    '/watch?v=dQw4w9WgXcQ',
    '/dQw4w9WgXcQ',
    '/track/3135556',
    '/Xy12AbCd',
    '/release',
  );

  const rawLink = fc
    .tuple(
      fc.constantFrom(
        'https://',
        'http://',
        'HTTPS://',
        'https:',
        'https:/',
        'https:\\\\',
        '//',
        'javascript://',
        'ftp://',
      ),
      fc.oneof(
        { arbitrary: fc.constant(''), weight: 4 },
        { arbitrary: fc.constantFrom(...ALLOWED_HOSTS).map((h) => `${h}@`), weight: 1 },
        { arbitrary: fc.constant('user:pass@'), weight: 1 },
      ),
      host,
      fc.oneof(
        { arbitrary: fc.constant(''), weight: 4 },
        { arbitrary: fc.constantFrom(':443', ':80', ':8443'), weight: 1 },
      ),
      songPath,
    )
    .map((parts) => parts.join(''));

  it('accepts a link only when its parsed host is on the list, and returns a link to such a host', () => {
    let acceptedCount = 0;
    fc.assert(
      fc.property(rawLink, (raw) => {
        const result = classifyLink(raw);
        if (!result.ok) return;
        acceptedCount += 1;
        const parsed = new URL(raw.trim());
        expect(isAllowed(parsed.hostname), `${raw} parsed as ${parsed.hostname}`).toBe(true);
        expect(parsed.username + parsed.password).toBe('');
        const normalized = new URL(result.url);
        expect(isAllowed(normalized.hostname)).toBe(true);
        expect(normalized.protocol).toBe('https:');
        expect(normalized.port).toBe('');
      }),
      { numRuns: 2_000 },
    );
    // The generator reaches acceptance too, so the property above is not vacuous.
    expect(acceptedCount).toBeGreaterThan(20);
  });

  it('refuses every host that is not on the list, whatever the path', () => {
    fc.assert(
      fc.property(
        host.filter((h) => {
          try {
            return !isAllowed(new URL(`https://${h}/`).hostname);
          } catch {
            return true;
          }
        }),
        songPath,
        (h, path) => {
          expect(classifyLink(`https://${h}${path}`).ok).toBe(false);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('skipAmountToTier is total and monotonic over every number', () => {
  const anyNumber = fc.oneof(
    fc.integer({ min: -1_000, max: 1_000 }),
    fc.integer({ min: MAX_SKIP_AMOUNT - 1_000, max: MAX_SKIP_AMOUNT + 1_000 }),
    fc.maxSafeInteger(),
    fc.double(),
    fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 31, 2 ** 53, 2 ** 64),
  );

  it('gives a skip tier for a whole amount from 5 to the maximum, and refuses anything else with a reason', () => {
    fc.assert(
      fc.property(anyNumber, (amount) => {
        const acceptable = Number.isSafeInteger(amount) && amount >= 5 && amount <= MAX_SKIP_AMOUNT;
        let tier: string | undefined;
        try {
          tier = skipAmountToTier(amount);
        } catch (error) {
          expect(error).toBeInstanceOf(UserFacingError);
          expect(['invalid_amount', 'skip_amount_too_low']).toContain((error as UserFacingError).code);
          expect(acceptable).toBe(false);
          return;
        }
        expect(acceptable).toBe(true);
        expect(SKIP_TIERS).toContain(tier);
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives the highest tier not worth more than the amount, anywhere in the accepted range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: MAX_SKIP_AMOUNT }), (amount) => {
        const tier = skipAmountToTier(amount);
        expect(SKIP_TIER_AMOUNT[tier]).toBeLessThanOrEqual(amount);
        const higher = SKIP_TIERS.filter((t) => tierRank(t) < tierRank(tier));
        for (const t of higher) expect(SKIP_TIER_AMOUNT[t]).toBeGreaterThan(amount);
      }),
    );
  });

  it('never gives a lower tier for a larger amount, across the whole accepted range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: MAX_SKIP_AMOUNT }),
        fc.integer({ min: 5, max: MAX_SKIP_AMOUNT }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(tierRank(skipAmountToTier(high))).toBeLessThanOrEqual(tierRank(skipAmountToTier(low)));
        },
      ),
    );
  });
});

describe('coin arithmetic stays within 0 … 2^53 − 1', () => {
  const balance = fc.oneof(
    fc.nat(1_000_000),
    fc.integer({ min: MAX - 1_000_000, max: MAX }),
    fc.maxSafeNat(),
  );
  const delta = fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.maxSafeInteger(),
    fc.constantFrom(MAX, -MAX, 1, -1),
  );

  it('addCoins gives the exact sum when it is a countable balance, and refuses otherwise', () => {
    fc.assert(
      fc.property(balance, delta, (b, d) => {
        const exact = BigInt(b) + BigInt(d);
        const countable = exact >= 0n && exact <= BigInt(MAX);
        if (!countable) {
          expect(() => addCoins(b, d)).toThrow(RangeError);
          return;
        }
        expect(BigInt(addCoins(b, d))).toBe(exact);
      }),
      { numRuns: 2_000 },
    );
  });

  it('spend never leaves a negative balance, at any size', () => {
    fc.assert(
      fc.property(
        balance,
        fc.oneof(fc.maxSafeNat(), fc.integer({ min: MAX - 1_000_000, max: MAX })),
        (b, price) => {
          if (price > b) {
            expect(() => spend(b, price)).toThrow(UserFacingError);
            return;
          }
          const after = spend(b, price);
          expect(after).toBeGreaterThanOrEqual(0);
          expect(BigInt(after)).toBe(BigInt(b) - BigInt(price));
        },
      ),
    );
  });

  const rate = fc.record({
    coins: fc.integer({ min: 0, max: 1_000 }),
    per: fc.integer({ min: 1, max: 1_000_000 }),
  });

  it('convertWithCarry conserves the total exactly or refuses, even near 2^53', () => {
    fc.assert(
      fc.property(
        rate,
        fc.oneof(fc.nat(1_000_000), fc.maxSafeNat(), fc.integer({ min: Math.floor(MAX / 1_000), max: MAX })),
        fc.nat(),
        (r, amount, carrySeed) => {
          const carry = carrySeed % r.per;
          const total = BigInt(carry) + BigInt(amount) * BigInt(r.coins);
          if (total > BigInt(MAX)) {
            expect(() => convertWithCarry(amount, carry, r)).toThrow(RangeError);
            return;
          }
          const out = convertWithCarry(amount, carry, r);
          expect(BigInt(out.coins) * BigInt(r.per) + BigInt(out.carryUnits)).toBe(total);
          expect(out.carryUnits).toBeGreaterThanOrEqual(0);
          expect(out.carryUnits).toBeLessThan(r.per);
          expect(Number.isSafeInteger(out.coins)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  type Operation =
    | { kind: 'earn'; amount: number; rate: { coins: number; per: number } }
    | { kind: 'adjust'; delta: number }
    | { kind: 'spend'; price: number };

  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({
      kind: fc.constant('earn' as const),
      amount: fc.oneof(fc.nat(100_000), fc.maxSafeNat()),
      rate,
    }),
    fc.record({ kind: fc.constant('adjust' as const), delta }),
    fc.record({ kind: fc.constant('spend' as const), price: fc.oneof(fc.nat(10_000), fc.maxSafeNat()) }),
  );

  it('a balance fed by earnings, adjustments and purchases is always the sum of what was applied', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        let balance = 0;
        let carry = 0;
        let ledger = 0n;
        for (const op of operations) {
          try {
            if (op.kind === 'earn') {
              // Each account converts at one rate; the carry is in that rate's units.
              const step = convertWithCarry(op.amount, carry % op.rate.per, op.rate);
              balance = addCoins(balance, step.coins);
              carry = step.carryUnits;
              ledger += BigInt(step.coins);
            } else if (op.kind === 'adjust') {
              balance = addCoins(balance, op.delta);
              ledger += BigInt(op.delta);
            } else {
              balance = spend(balance, op.price);
              ledger -= BigInt(op.price);
            }
          } catch (error) {
            // A refusal changes nothing; the ledger is only written after every step succeeded.
            expect(error instanceof RangeError || error instanceof UserFacingError).toBe(true);
          }
          expect(Number.isSafeInteger(balance)).toBe(true);
          expect(balance).toBeGreaterThanOrEqual(0);
          expect(BigInt(balance)).toBe(ledger);
        }
      }),
    );
  });
});
