import { SlashCommandBuilder } from 'discord.js';
import { isSkipTier, TIER_LABELS } from '../../domain/tiers.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import { getBalances, type Balances } from '../../storage/balances-repo.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { userPositions } from '../../storage/submissions-repo.js';
import { formatCount } from '../economy/amounts.js';

export const positionCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('position')
    .setDescription('Where your song is in the queue, and why')
    .toJSON(),

  async execute(interaction, ctx) {
    const db = ctx.database.db;
    const mine = await userPositions(db, interaction.guildId, interaction.user.id);
    if (mine.length === 0) {
      const { submissionChannelId } = await getGuildConfig(db, interaction.guildId);
      const where = submissionChannelId ? ` or paste a link in <#${submissionChannelId}>` : '';
      await replyPrivately(interaction, `You have no song in the queue. Submit one with /submit${where}.`);
      return;
    }
    const balances = await getBalances(db, interaction.guildId, interaction.user.id);
    await replyPrivately(interaction, mine.map((s) => explainPlace(s, balances)).join('\n\n'));
  },
};

/** One open song: its place, its tier, and the rule that puts it there. */
function explainPlace(s: SubmissionRecord & { position: number | null }, balances: Balances): string {
  const song = `**${userText(s.artist)} – ${userText(s.title)}** (id ${s.id})`;
  if (s.tier === 'pending') {
    return `${song} is in **${TIER_LABELS.pending}**: a reviewer confirms your skip of ${formatCount(s.requestedSkipAmount ?? 0)} before it gets a place in line.`;
  }
  const place = `${song} is **#${s.position ?? '?'}** in line, in **${TIER_LABELS[s.tier]}**.`;
  if (isSkipTier(s.tier)) {
    const order =
      s.tier === 'skip25'
        ? 'In 25+ Skip bigger skips go first, then earlier ones'
        : 'Within a skip tier, earlier skips go first';
    return `${place}\nSkip tiers are served before Free, highest first. ${order}; your skip: ${formatCount(s.skipAmount)}.`;
  }
  const sources = balances.tiktok
    ? `Discord ${formatCount(balances.discordPoints)} + TikTok @${userText(balances.tiktok.handle, 40)} ${formatCount(balances.tiktok.points)}`
    : `Discord ${formatCount(balances.discordPoints)}; link your TikTok account with /link tiktok to add its points`;
  return `${place}\nFree songs go after every skip, highest engagement points first. Your points: **${formatCount(balances.totalPoints)}** (${sources}).`;
}
