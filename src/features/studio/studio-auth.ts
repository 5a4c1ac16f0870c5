import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { GuildMember } from 'discord.js';
import type { BotContext } from '../../discord/module.js';
import { isAdmin, isReviewer } from '../../discord/preconditions.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { findSession, type StudioMember } from '../../storage/studio-sessions-repo.js';

/** A sign-in link works once, within this time. */
export const SIGN_IN_TTL_MS = 10 * 60_000;
/** A studio session lasts a long stream; then the reviewer asks `/studio` again. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'mrb_studio';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes, base64url, with the digest that is all the database keeps. */
export function issueSecret(): { token: string; sha256: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, sha256: digestOf(token) };
}

/** The digest a presented secret is looked up by; null for anything that cannot be one of ours. */
export function digestOfPresented(token: string | undefined): string | null {
  return token !== undefined && TOKEN_PATTERN.test(token) ? digestOf(token) : null;
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The session cookie: not readable by scripts, never sent by another site (not even on a link
 * followed from one), only to the studio's paths, and over https only when the bot is reached so.
 */
export function sessionCookie(token: string, publicUrl: string | undefined): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: 'strict',
    secure: publicUrl?.startsWith('https://') ?? false,
    path: '/studio',
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function clearedSessionCookie(publicUrl: string | undefined): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: '',
    httpOnly: true,
    sameSite: 'strict',
    secure: publicUrl?.startsWith('https://') ?? false,
    path: '/studio',
    maxAge: 0,
  });
}

export function sessionDigestIn(headers: IncomingHttpHeaders): string | null {
  const cookies = headers.cookie ? parseCookie(headers.cookie) : {};
  return digestOfPresented(cookies[SESSION_COOKIE]);
}

export interface StudioSession extends StudioMember {
  sessionSha256: string;
  /** Whether the member may also change the server's settings (Manage Server), as Discord said now. */
  admin: boolean;
}

/**
 * The request's session while its member may still review. The member is read from Discord on every
 * call (the bot does not receive member updates), so a reviewer who loses the role is out at once;
 * the same read says whether they are an admin.
 */
export async function studioSession(
  ctx: BotContext,
  headers: IncomingHttpHeaders,
): Promise<StudioSession | null> {
  const sessionSha256 = sessionDigestIn(headers);
  if (!sessionSha256) return null;
  const session = await findSession(ctx.database.db, sessionSha256);
  const reviewer = session && (await reviewerMember(ctx, session.guildId, session.memberId));
  if (!session || !reviewer) return null;
  return { ...session, sessionSha256, admin: isAdmin(reviewer) };
}

export async function mayReview(ctx: BotContext, guildId: string, memberId: string): Promise<boolean> {
  return (await reviewerMember(ctx, guildId, memberId)) !== null;
}

/** The member as Discord has them now, while they may review; else null. */
async function reviewerMember(
  ctx: BotContext,
  guildId: string,
  memberId: string,
): Promise<GuildMember | null> {
  const member = await freshMember(ctx, guildId, memberId);
  if (!member) return null;
  const { reviewerRoleId } = await getGuildConfig(ctx.database.db, guildId);
  return isReviewer(member, reviewerRoleId) ? member : null;
}

function freshMember(ctx: BotContext, guildId: string, memberId: string) {
  const guild = ctx.client.guilds.cache.get(guildId);
  return guild?.members.fetch({ user: memberId, force: true }).catch(() => null) ?? Promise.resolve(null);
}

/**
 * The CSRF defence on top of SameSite=Strict: a browser names where a request comes from
 * (`Sec-Fetch-Site`, `Origin`), and it must be this site. A request naming neither is not from a
 * browser, where cross-site forgery does not arise. `publicUrl` is the address browsers use when the
 * bot sits behind a proxy that rewrites Host.
 */
export function sentFromThisSite(headers: IncomingHttpHeaders, publicUrl: string | undefined): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  if (headers.origin === undefined) return site === 'same-origin' || site === undefined;
  let origin: URL;
  try {
    origin = new URL(headers.origin);
  } catch {
    return false;
  }
  if (publicUrl !== undefined && origin.origin === new URL(publicUrl).origin) return true;
  return origin.host === headers.host;
}
