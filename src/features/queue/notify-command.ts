import { SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import { getPreferences, setPreferences, type ReviewPreferences } from '../../storage/review-repo.js';

const ON_OFF = [
  { name: 'on', value: 'on' },
  { name: 'off', value: 'off' },
];

export const notifyCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('notify')
    .setDescription('How the bot tells you about your song; without options, shows your settings')
    .addStringOption((o) =>
      o
        .setName('next')
        .setDescription('A DM when your song is next in line (off by default)')
        .addChoices(...ON_OFF),
    )
    .addStringOption((o) =>
      o
        .setName('mention')
        .setDescription('A mention when your song is being reviewed (on by default)')
        .addChoices(...ON_OFF),
    )
    .addStringOption((o) =>
      o
        .setName('rated')
        .setDescription('A DM with the score when your song is rated (on by default)')
        .addChoices(...ON_OFF),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const next = interaction.options.getString('next');
    const mention = interaction.options.getString('mention');
    const rated = interaction.options.getString('rated');
    const db = ctx.database.db;
    const preferences =
      next === null && mention === null && rated === null
        ? await getPreferences(db, interaction.guildId, interaction.user.id)
        : await setPreferences(db, interaction.guildId, interaction.user.id, {
            ...(next !== null ? { notifyWhenNext: next === 'on' } : {}),
            ...(mention !== null ? { mentionWhenReviewed: mention === 'on' } : {}),
            ...(rated !== null ? { notifyWhenRated: rated === 'on' } : {}),
          });
    await replyPrivately(interaction, describePreferences(preferences));
  },
};

function describePreferences(p: ReviewPreferences): string {
  const dm = p.notifyWhenNext
    ? "I'll DM you when your song is next in line"
    : "I won't DM you when your song is next in line";
  const mention = p.mentionWhenReviewed
    ? "I'll mention you when your song is being reviewed"
    : "I won't mention you when your song is being reviewed";
  const rated = p.notifyWhenRated
    ? "I'll DM you the score when your song is rated"
    : "I won't DM you when your song is rated";
  return `${dm}, ${mention}, and ${rated}. Change it with \`/notify next:on|off\`, \`/notify mention:on|off\` or \`/notify rated:on|off\`.`;
}
