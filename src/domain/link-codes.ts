import { UserFacingError } from './errors.js';

/**
 * Link codes are read off a Discord screen and typed into a phone's live chat, so the alphabet leaves
 * out characters that look alike (0/O, 1/I/L). 31^6 ≈ 887 million codes: guessing one within its
 * few minutes of life is hopeless.
 */
export const LINK_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const LINK_CODE_LENGTH = 6;

/** Builds a code from random alphabet positions (the caller supplies the randomness). */
export function linkCodeFrom(positions: readonly number[]): string {
  if (positions.length !== LINK_CODE_LENGTH) throw new RangeError('a link code has 6 characters');
  return positions
    .map((p) => {
      const c = LINK_CODE_ALPHABET[p];
      if (c === undefined) throw new RangeError(`no link-code character at ${p}`);
      return c;
    })
    .join('');
}

/**
 * Words of a chat message that could be a link code, upper-cased: viewers type on phones, so
 * `abc234` and `ABC234!` both count.
 */
export function linkCodesIn(text: string): string[] {
  const words = text.toUpperCase().split(/[^A-Z0-9]+/);
  const valid = new RegExp(`^[${LINK_CODE_ALPHABET}]{${LINK_CODE_LENGTH}}$`);
  return [...new Set(words.filter((w) => valid.test(w)))];
}

/** TikTok usernames: 2–24 letters, digits, `_` and `.`; people often type them with a leading @. */
export function normalizeTikTokHandle(raw: string): string {
  const handle = raw.trim().replace(/^@/, '');
  if (!/^[A-Za-z0-9._]{2,24}$/.test(handle)) {
    throw new UserFacingError(
      'unknown_account',
      'That is not a TikTok username: type it like @name (2–24 letters, digits, _ or .).',
    );
  }
  return handle;
}
