import { SlashCommandBuilder } from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext, ComponentHandler, SlashCommand } from '../../discord/module.js';
import { NO_MENTIONS, replyPrivately, userText } from '../../discord/replies.js';
import { withdrawSubmission } from '../../storage/queue-moves.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { listWaitingSongs } from '../../storage/submissions-repo.js';
import { mySubmissionsView, WITHDRAW_ID } from './my-submissions-view.js';

/** Takes the viewer's song out of the queue and says what became of a paid skip. */
async function withdraw(ctx: BotContext, guildId: string, userId: string, id: number): Promise<string> {
  const { submission, creditTier } = await withdrawSubmission(ctx.database.db, guildId, id, userId);
  const song = `id ${submission.id} **${userText(submission.artist)} – ${userText(submission.title)}**`;
  const credit = creditTier
    ? ` Your ${TIER_LABELS[creditTier]} stays as a credit: your next song starts in ${TIER_LABELS[creditTier]}.`
    : '';
  return `Withdrew ${song} from the queue.${credit}`;
}

export const withdrawCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('withdraw')
    .setDescription('Take your waiting song out of the queue (a paid skip stays as a credit)')
    .addIntegerOption((o) =>
      o
        .setName('id')
        .setDescription('Which of your waiting songs; not needed when you have only one')
        .setMinValue(1)
        .setAutocomplete(true),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const { guildId } = interaction;
    const userId = interaction.user.id;
    let id = interaction.options.getInteger('id');
    if (id === null) {
      const waiting = await listWaitingSongs(ctx.database.db, guildId, userId);
      if (waiting.length === 0) {
        throw new UserFacingError('no_open_submission', 'You have no song waiting in the queue.');
      }
      if (waiting.length > 1) {
        throw new UserFacingError(
          'no_open_submission',
          `You have ${waiting.length} songs waiting (ids ${waiting.map((s) => s.id).join(', ')}); pick one in the id option.`,
        );
      }
      id = (waiting[0] as SubmissionRecord).id;
    }
    await replyPrivately(interaction, await withdraw(ctx, guildId, userId, id));
  },

  /** The viewer's own waiting songs, matching what is typed (an id or a word of the song). */
  async autocomplete(interaction, ctx) {
    const typed = String(interaction.options.getFocused()).trim().toLowerCase();
    const waiting = await listWaitingSongs(ctx.database.db, interaction.guildId, interaction.user.id);
    await interaction.respond(
      waiting
        .filter(
          (s) =>
            !typed ||
            String(s.id).startsWith(typed) ||
            `${s.artist} ${s.title}`.toLowerCase().includes(typed),
        )
        .slice(0, 25)
        // Choice names are plain text in the client (no markdown, no pings); Discord caps them at 100.
        .map((s) => ({
          name: `id ${s.id} · ${s.artist} – ${s.title} (${TIER_LABELS[s.tier]})`.slice(0, 100),
          value: s.id,
        })),
    );
  },
};

/**
 * Withdraw under /my-submissions: the list is redrawn without the song, with what happened on top.
 * Only the song's submitter can withdraw it; the button's id carries no owner, storage checks.
 */
export const withdrawButtonHandler: ComponentHandler = {
  prefix: WITHDRAW_ID,
  access: 'everyone',
  async handle(interaction, args, ctx) {
    if (!interaction.isButton()) return;
    const id = Number(args[0]);
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new UserFacingError('not_found', 'This button no longer works; use /withdraw instead.');
    }
    const done = await withdraw(ctx, interaction.guildId, interaction.user.id, id);
    const view = await mySubmissionsView(ctx, interaction.guildId, interaction.user.id);
    await interaction.update({
      content: view ? `${done}\n\n${view.content}` : done,
      components: view?.components ?? [],
      allowedMentions: NO_MENTIONS,
    });
  },
};
