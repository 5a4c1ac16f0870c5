import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../storage/connect.js';
import { findPageToken, type IssuedToken, type PageSlot } from '../storage/overlay-repo.js';

/** 32 random bytes, base64url: what a page URL carries. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function issuePageToken(): IssuedToken {
  const token = randomBytes(32).toString('base64url');
  return { token, sha256: digestOf(token) };
}

/** Streams opened with a token are tagged with its slot, so replacing the token can close them. */
export function slotKey(slot: PageSlot): string {
  return `${slot.guildId}:${slot.page}:${slot.ownerId}`;
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The slot a presented token opens, or null for any wrong token. The database finds the row by the
 * token's digest, so how far an index walk gets says nothing about a real token; the final check is a
 * constant-time comparison of the token itself.
 */
export async function resolvePageToken(db: Queryable, presented: string): Promise<PageSlot | null> {
  if (!TOKEN_PATTERN.test(presented)) return null;
  const found = await findPageToken(db, digestOf(presented));
  if (!found) return null;
  const stored = Buffer.from(found.token);
  const given = Buffer.from(presented);
  return stored.length === given.length && timingSafeEqual(stored, given) ? found.slot : null;
}
