import { EmbedBuilder } from 'discord.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { listAudit } from '../../storage/audit-repo.js';

const SHOWN = 15;

type Entry = Awaited<ReturnType<typeof listAudit>>[number];

/** Channel and role settings are stored as ids: show them as Discord renders them. */
function shownValue(key: string, value: unknown): string {
  if (key.endsWith('ChannelId')) return `<#${String(value)}>`;
  if (key.endsWith('RoleId')) return `<@&${String(value)}>`;
  return userText(String(value), 40);
}

/** One line per entry: when, what, who, to whom, and the few details worth reading at a glance. */
function describe(entry: Entry): string {
  const when = `<t:${Math.floor(entry.createdAt.getTime() / 1000)}:f>`;
  const parts = [`${when} **${entry.action}** by <@${entry.actorId}>`];
  if (entry.targetUserId) parts.push(`→ <@${entry.targetUserId}>`);
  if (entry.submissionId !== null) parts.push(`song #${entry.submissionId}`);
  const d = entry.details;
  if (typeof d.delta === 'number') parts.push(`${d.delta > 0 ? '+' : ''}${d.delta.toLocaleString('en-US')}`);
  if (typeof d.key === 'string') parts.push(`\`${d.key}\` = ${shownValue(d.key, d.to)}`);
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
