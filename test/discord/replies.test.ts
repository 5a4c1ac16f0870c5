import { describe, expect, it } from 'vitest';
import { userText } from '../../src/discord/replies.js';

describe('userText', () => {
  it.each([
    ['# Big', '\\# Big'],
    ['-# small print', '\\-# small print'],
    ['> quoted', '\\> quoted'],
    ['- listed', '\\- listed'],
    ['1. First', '1\\. First'],
    ['2024. The Year', '2024\\. The Year'],
  ])('escapes line-start markup %j, which embeds would render as a heading, quote or list', (raw, shown) => {
    expect(userText(raw)).toBe(shown);
  });

  it.each([
    ['Blink-182', 'Blink-182'],
    ['Take #5', 'Take #5'],
    ['1999', '1999'],
    ['*NSYNC', '\\*NSYNC'],
    ['Song_Name', 'Song\\_Name'],
  ])('leaves %j readable, escaping only what Discord would style', (raw, shown) => {
    expect(userText(raw)).toBe(shown);
  });

  it('flattens line breaks, so markup cannot start a later line', () => {
    expect(userText('Nova\n# Loud')).toBe('Nova # Loud');
  });

  it('breaks mentions visually and caps the length', () => {
    expect(userText('@everyone')).toBe('@\u200beveryone');
    expect(userText('x'.repeat(120), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
