import { describe, expect, it } from 'vitest';
import { checkNote, checkSongName, MAX_NAME_LENGTH } from '../../src/domain/submission-text.js';
import { catchUserError } from './catch-user-error.js';

const refusal = (fn: () => unknown) => {
  const error = catchUserError(fn);
  expect(error.code).toBe('invalid_text');
  return error.message;
};

describe('artist and title', () => {
  it.each([
    ['a plain name', 'Daft Punk'],
    ['a leading asterisk', '*NSYNC'],
    ['underscores', 'Song_Name_2'],
    ['a tilde and a pipe', 'Up ~ Down | Live'],
    ['a hash inside and at the start without a space', '#1 Fan #2'],
    ['an @ that is not a mention', 'Meet me @ the heretics'],
    ['brackets not followed by a parenthesis', 'Song [Live] (2020)'],
    ['single backticks', 'The `quiet` one'],
    ['a spoiler pair (every view escapes the pipes)', '||the drop||'],
    ['an SQL fragment (queries are parameterised)', "'); DROP TABLE submissions;--"],
    ['emoji built with joiners', 'Family 👨‍👩‍👧 and 🏴󠁧󠁢󠁥󠁮󠁧󠁿'],
    ['exactly 100 characters', 'a'.repeat(MAX_NAME_LENGTH)],
  ])('accepts %s verbatim', (_name, value) => {
    expect(checkSongName('title', value)).toBe(value);
  });

  it('trims and collapses spaces, and drops invisible format characters', () => {
    expect(checkSongName('artist', '  Daft \u00a0 Punk\u200b ')).toBe('Daft Punk');
  });

  it.each([
    ['@everyone', '@everyone'],
    ['@here in a title', 'Live @here.'],
    ['@Everyone in another case', 'hi @Everyone'],
    ['a user mention', '<@123>'],
    ['a nickname mention', 'feat. <@!123456789012345678>'],
    ['a role mention', '<@&123>'],
    ['a channel mention', 'see <#123>'],
    ['a slash-command mention', '</x:1>'],
    ['a subcommand mention', '</admin portal:123>'],
    ['a server guide link', '<id:customize>'],
    ['a mention hidden by a zero-width space', '@\u200beveryone'],
  ])('refuses %s, asking for plain text', (_name, value) => {
    expect(refusal(() => checkSongName('artist', value))).toMatch(
      /^Artist and title can't contain mentions .*write names as plain text/,
    );
  });

  it.each([
    ['a code fence', '```js alert(1) ```', /can't contain code blocks/],
    [
      'a masked link',
      '[free nitro](https://evil.example/claim)',
      /can't contain links written like \[text\]\(url\)/,
    ],
    ['a masked link without a scheme', 'Nova [Night Drive](', /links written like \[text\]\(url\)/],
    ['a heading', '# Huge', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a small heading', '### Huge', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['subtext', '-# tiny', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a quote', '> quoted', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a block quote', '>>> quoted', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a bullet', '- item', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a star bullet', '* item', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a newline', 'Night\nDrive', /can't contain line breaks or control characters; type it on one line/],
    ['a carriage return', 'Night\rDrive', /line breaks or control characters/],
    ['a tab', 'Night\tDrive', /line breaks or control characters/],
    ['a NUL', 'Night\u0000Drive', /line breaks or control characters/],
    ['an ANSI escape', '\u001b[31mred', /line breaks or control characters/],
    ['a right-to-left override', 'song\u202egpm.exe', /line breaks or control characters/],
    ['an empty name', '   ', /can't be empty/],
    ['only invisible characters', '\u200b\u200b', /can't be empty/],
    ['101 characters', 'a'.repeat(101), /too long \(101 characters; at most 100\)/],
  ])('refuses %s with the reason', (_name, value, reason) => {
    expect(refusal(() => checkSongName('title', value))).toMatch(reason);
  });

  it('names the field in a field-specific refusal', () => {
    expect(refusal(() => checkSongName('artist', ''))).toBe("The artist can't be empty.");
    expect(refusal(() => checkSongName('title', 'a\nb'))).toMatch(/^The title can't/);
  });
});

describe('the note for the reviewer', () => {
  it('keeps Markdown emphasis and flattens its lines into one', () => {
    expect(checkNote('**great** drop\nat 1:00\r\n\tthanks')).toBe('**great** drop at 1:00 thanks');
  });

  it('keeps SQL fragments verbatim', () => {
    expect(checkNote("'); DROP TABLE submissions;--")).toBe("'); DROP TABLE submissions;--");
  });

  it.each([
    ['@here', 'listen @here', /^The note can't contain mentions/],
    ['a role mention', 'ping <@&1>', /^The note can't contain mentions/],
    ['a code fence', '```x```', /^The note can't contain code blocks/],
    ['a masked link', '[x](https://evil.example)', /^The note can't contain links written like/],
    ['a NUL', 'a\u0000b', /^The note can't contain control characters/],
    ['501 characters', 'n'.repeat(501), /^The note is too long \(501 characters; at most 500\)/],
  ])('refuses %s', (_name, value, reason) => {
    expect(refusal(() => checkNote(value))).toMatch(reason);
  });
});
