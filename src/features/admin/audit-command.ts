import { EmbedBuilder } from 'discord.js';
import { isSettingKey, settingLabel } from '../../domain/guild-settings.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { listAudit, type AuditAction } from '../../storage/audit-repo.js';
import { showSetting } from './setting-keys.js';

const SHOWN = 15;

type Entry = Awaited<ReturnType<typeof listAudit>>[number];

/** What each recorded action was, in the words of the commands that do it. */
const ACTION_WORDS: Record<AuditAction, string> = {
  take: 'Reviewed',
  undo_take: 'Undid a review (back in the queue)',
  move: 'Moved',
  remove: 'Removed',
  withdraw: 'Withdrawn by the submitter',
  restore: 'Put back in the queue',
  confirm_skip: 'Confirmed a skip',
  reject_skip: 'Rejected a skip',
  gift_skip: 'Skip from a gift',
  buy_skip: 'Bought a skip',
  force_link: 'Linked a TikTok account (admin)',
  link: 'Linked a TikTok account',
  unlink: 'Unlinked a TikTok account',
  coins_give: 'Gave Luxury Coins',
  coins_take: 'Took Luxury Coins',
  points_give: 'Gave points',
  points_take: 'Took points',
  config_set: 'Changed a setting',
  backup_restore: 'Restored a backup',
  rate: 'Rated',
  correct_rating: 'Corrected a rating',
};

/** Settings audited besides the queue settings: channels, the reviewer role, the secret page URLs. */
const OTHER_SETTINGS: Record<string, string> = {
  submissionChannelId: 'Submission channel',
  reviewerChannelId: 'Reviewer channel',
  summaryChannelId: 'Summary channel',
  reviewerRoleId: 'Reviewer role',
  overlay_url: 'Stream overlay URL',
  player_url: 'Reviewer player URL',
  public_url: 'Public queue page',
  studio_sessions: 'Studio sign-ins',
};

/** Channel and role settings are stored as ids: show them as Discord renders them. */
function shownValue(key: string, value: unknown): string {
  if (key.endsWith('ChannelId')) return `<#${String(value)}>`;
  if (key.endsWith('RoleId')) return `<@&${String(value)}>`;
  if (isSettingKey(key)) return userText(showSetting(key, value), 40);
  return userText(String(value), 40);
}

function settingName(key: string): string {
  if (isSettingKey(key)) return settingLabel(key);
  return OTHER_SETTINGS[key] ?? userText(key, 40);
}

/** One line per entry: when, what, who, to whom, and the few details worth reading at a glance. */
function describe(entry: Entry): string {
  const when = `<t:${Math.floor(entry.createdAt.getTime() / 1000)}:f>`;
  const action = (ACTION_WORDS as Record<string, string>)[entry.action] ?? userText(entry.action, 40);
  const parts = [`${when} **${action}** by <@${entry.actorId}>`];
  if (entry.targetUserId) parts.push(`→ <@${entry.targetUserId}>`);
  if (entry.submissionId !== null) parts.push(`song #${entry.submissionId}`);
  const d = entry.details;
  if (typeof d.delta === 'number') parts.push(`${d.delta > 0 ? '+' : ''}${d.delta.toLocaleString('en-US')}`);
  if (typeof d.key === 'string') parts.push(`${settingName(d.key)}: ${shownValue(d.key, d.to)}`);
  if (typeof d.score === 'string') {
    parts.push(`${typeof d.previous === 'string' ? `${d.previous}/10 → ` : ''}${d.score}/10`);
  }
  if (typeof d.handle === 'string') parts.push(`@${userText(d.handle, 40)}`);
  if (entry.reason) parts.push(`“${userText(entry.reason, 80)}”`);
  return parts.join(' · ');
}

/** `/admin audit [user]`: the latest moderation and economy actions, optionally about one member. */
export const auditSubcommand: AdminSubcommand = {
  name: 'audit',
  description: 'Recent admin and reviewer actions',
  options: (b) => b.addUserOption((o) => o.setName('user').setDescription('Only actions about this member')),
  async execute(interaction, ctx) {
    const user = interaction.options.getUser('user');
    const entries = await listAudit(ctx.database.db, interaction.guildId, {
      ...(user ? { targetUserId: user.id } : {}),
      limit: SHOWN,
    });
    const embed = new EmbedBuilder()
      .setTitle(user ? `Recent actions about ${userText(user.username, 40)}` : 'Recent actions')
      .setDescription(entries.length > 0 ? entries.map(describe).join('\n') : 'Nothing recorded yet.');
    await replyPrivately(interaction, '', { embeds: [embed] });
  },
};
