import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storableJson, storableText } from '../../src/storage/pg-text.js';

/** Well-formed UTF-16 is exactly what survives a UTF-8 round trip unchanged. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;

describe('storableText', () => {
  it('drops NUL and shows a lone surrogate as U+FFFD, keeping paired ones', () => {
    expect(storableText('a\u0000b')).toBe('ab');
    expect(storableText('x\ud800y\udc00')).toBe('x\ufffdy\ufffd');
    expect(storableText('🎵 ok')).toBe('🎵 ok');
  });

  it('leaves nothing PostgreSQL would refuse, and changes nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = storableText(s);
        expect(out.includes('\u0000')).toBe(false);
        expect(wellFormed(out)).toBe(true);
        if (!s.includes('\u0000') && wellFormed(s)) expect(out).toBe(s);
      }),
    );
  });
});

describe('storableJson', () => {
  it('cleans strings at any depth', () => {
    expect(JSON.parse(storableJson({ a: ['x\u0000', { b: '\udc01' }] }))).toEqual({
      a: ['x', { b: '\ufffd' }],
    });
  });

  it('keeps a literal backslash-u0000 typed in a chat, which only looks like an escape', () => {
    const payload = { text: 'see \\u0000 and \\ud800' };
    expect(JSON.parse(storableJson(payload))).toEqual(payload);
  });
});
