import { PermissionFlagsBits, type GuildMember } from 'discord.js';
import { UserFacingError } from '../domain/errors.js';
import type { Access } from './module.js';

export function isAdmin(member: GuildMember): boolean {
  return member.permissions.has(PermissionFlagsBits.ManageGuild);
}

/** Reviewers: the guild's reviewer role, or anyone who may manage the server. */
export function isReviewer(member: GuildMember, reviewerRoleId: string | null): boolean {
  return isAdmin(member) || (reviewerRoleId !== null && member.roles.cache.has(reviewerRoleId));
}

/** Whether the member passes `access`: what the registry checks, and what /help lists by. */
export function hasAccess(access: Access, member: GuildMember, reviewerRoleId: string | null): boolean {
  if (access === 'admin') return isAdmin(member);
  if (access === 'reviewer') return isReviewer(member, reviewerRoleId);
  return true;
}

/**
 * Run-time check behind every command and button. Discord's default member permissions hide admin
 * commands in the client, but they can be changed by a server owner, so the bot checks again.
 */
export function assertAccess(access: Access, member: GuildMember, reviewerRoleId: string | null): void {
  if (hasAccess(access, member, reviewerRoleId)) return;
  if (access === 'admin') {
    throw new UserFacingError('forbidden', 'Only members with the Manage Server permission can do that.');
  }
  throw new UserFacingError('forbidden', 'Only reviewers can do that. Ask an admin for the reviewer role.');
}
