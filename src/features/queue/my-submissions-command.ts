import { ActionRowBuilder, SlashCommandBuilder, StringSelectMenuBuilder } from 'discord.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately, userText } from '../../discord/replies.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { listUserSubmissions, userPositions } from '../../storage/submissions-repo.js';
import { PORTAL_IDS } from '../submissions/portal.js';

const RECENT = 10;

export const mySubmissionsCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('my-submissions')
    .setDescription('Your songs in the queue and your last played ones, to submit again')
    .toJSON(),

  async execute(interaction, ctx) {
    const db = ctx.database.db;
    const userId = interaction.user.id;
    const recent = await listUserSubmissions(db, interaction.guildId, userId, RECENT);
    if (recent.length === 0) {
      await replyPrivately(interaction, "You haven't submitted a song yet. Submit one with /submit.");
      return;
    }
    const places = new Map(
      (await userPositions(db, interaction.guildId, userId)).map((p) => [p.id, p.position]),
    );
    const lines = recent.map((s) => describeSubmission(s, places.get(s.id) ?? null));
    const played = recent.filter((s) => s.tier === 'played');
    // The submissions module's "submit again" menu: its id carries the owner, whom alone it serves.
    const components = played.length
      ? [
          new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
            new StringSelectMenuBuilder()
              .setCustomId(`${PORTAL_IDS.resubmit}:${userId}`)
              .setPlaceholder('Submit a played song again')
              .addOptions(
                played.map((s) => ({
                  label: `${s.artist} – ${s.title}`.slice(0, 100),
                  value: String(s.id),
                  description: `id ${s.id}, played ${s.playedAt?.toISOString().slice(0, 10) ?? ''}`,
                })),
              ),
          ),
        ]
      : [];
    await replyPrivately(interaction, `**Your recent songs**\n${lines.join('\n')}`, { components });
  },
};

function describeSubmission(s: SubmissionRecord, position: number | null): string {
  const song = `**${userText(s.artist, 60)} – ${userText(s.title, 60)}**`;
  const state =
    s.tier === 'played'
      ? `played ${s.playedAt?.toISOString().slice(0, 10) ?? ''}`
      : position !== null
        ? `${TIER_LABELS[s.tier]}, #${position} in line`
        : TIER_LABELS[s.tier];
  return `id ${s.id} · ${song} · ${state}`;
}
