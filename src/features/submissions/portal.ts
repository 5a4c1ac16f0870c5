import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  MessageFlags,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Message,
  type TextChannel,
} from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import { checkNote, checkSongName, MAX_NAME_LENGTH, MAX_NOTE_LENGTH } from '../../domain/submission-text.js';
import type { AdminSubcommand, ComponentHandler } from '../../discord/module.js';
import { NO_MENTIONS, replyPrivately } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { resubmitFromHistory } from '../../storage/queue-moves.js';
import { listUserSubmissions, userPositions } from '../../storage/submissions-repo.js';
import { acceptLink, describeQueued, queueSong } from './submit-flow.js';

/**
 * The submission portal: one persistent message with buttons. Custom ids carry everything, so the
 * buttons keep working after a restart.
 */
export const PORTAL_IDS = {
  link: 'submissions:portal-link',
  file: 'submissions:portal-file',
  history: 'submissions:portal-history',
  modal: 'submissions:modal-link',
  resubmit: 'submissions:resubmit',
} as const;

/** Posts the portal message: what to do, and a button for each way to submit. */
export async function postPortal(channel: TextChannel): Promise<Message> {
  return channel.send({
    content:
      '**Submit your song for review**\nPaste a SoundCloud, Spotify, YouTube, Deezer or Ditto link here, use `/submit`, or the buttons below.',
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(PORTAL_IDS.link)
          .setLabel('Submit a link')
          .setStyle(ButtonStyle.Primary),
        new ButtonBuilder()
          .setCustomId(PORTAL_IDS.file)
          .setLabel('Submit a file')
          .setStyle(ButtonStyle.Secondary),
        new ButtonBuilder()
          .setCustomId(PORTAL_IDS.history)
          .setLabel('Submit again from history')
          .setStyle(ButtonStyle.Secondary),
      ),
    ],
    allowedMentions: NO_MENTIONS,
  });
}

/** How far back a portal is looked for: one request's worth of the channel's latest messages. */
const PORTAL_SEARCH_DEPTH = 100;

/**
 * The bot's portal among the channel's latest messages, if any. Portals are not stored, so one
 * buried deeper than that in a busy channel is not found (and a new one is posted, at the bottom).
 */
export async function findPortal(channel: TextChannel): Promise<Message | undefined> {
  const botId = channel.client.user.id;
  const latest = await channel.messages.fetch({ limit: PORTAL_SEARCH_DEPTH });
  return latest.find(
    (m) =>
      m.author.id === botId &&
      m.components.some(
        (row) =>
          'components' in row &&
          row.components.some((c) => 'customId' in c && c.customId === PORTAL_IDS.link),
      ),
  );
}

export const portalSubcommand: AdminSubcommand = {
  name: 'portal',
  description: 'Post the submission portal (buttons to submit) in the submission channel',
  async execute(interaction, ctx) {
    const config = await getGuildConfig(ctx.database.db, interaction.guildId);
    const channel = config.submissionChannelId
      ? interaction.guild.channels.cache.get(config.submissionChannelId)
      : undefined;
    if (!channel || channel.type !== ChannelType.GuildText) {
      throw new UserFacingError(
        'not_found',
        'Set the submission channel first with /admin set-submission-channel.',
      );
    }
    await postPortal(channel);
    await replyPrivately(interaction, `Posted the submission portal in <#${channel.id}>.`);
  },
};

/** Discord caps a text input's label at 45 characters; longer hints go in the placeholder. */
function textInput(
  id: string,
  label: string,
  style: TextInputStyle,
  required: boolean,
  max: number,
  hint?: string,
) {
  const input = new TextInputBuilder()
    .setCustomId(id)
    .setLabel(label)
    .setStyle(style)
    .setRequired(required)
    .setMaxLength(max);
  if (hint) input.setPlaceholder(hint);
  return new ActionRowBuilder<TextInputBuilder>().addComponents(input);
}

export const portalHandlers: ComponentHandler[] = [
  {
    prefix: PORTAL_IDS.link,
    access: 'everyone',
    async handle(interaction) {
      if (!interaction.isButton()) return;
      await interaction.showModal(
        new ModalBuilder()
          .setCustomId(PORTAL_IDS.modal)
          .setTitle('Submit a song')
          .addComponents(
            textInput('artist', 'Artist', TextInputStyle.Short, true, MAX_NAME_LENGTH),
            textInput('title', 'Title', TextInputStyle.Short, true, MAX_NAME_LENGTH),
            textInput(
              'link',
              'Link',
              TextInputStyle.Short,
              true,
              2048,
              'SoundCloud, Spotify, YouTube, Deezer or Ditto',
            ),
            textInput(
              'note',
              'Note for the reviewer (optional)',
              TextInputStyle.Paragraph,
              false,
              MAX_NOTE_LENGTH,
            ),
          ),
      );
    },
  },
  {
    prefix: PORTAL_IDS.modal,
    access: 'everyone',
    async handle(interaction, _args, ctx) {
      if (!interaction.isModalSubmit()) return;
      const artist = checkSongName('artist', interaction.fields.getTextInputValue('artist'));
      const title = checkSongName('title', interaction.fields.getTextInputValue('title'));
      const note = interaction.fields.getTextInputValue('note');
      const link = acceptLink(interaction.fields.getTextInputValue('link'));
      const queued = await queueSong(ctx, {
        guildId: interaction.guildId,
        submitterId: interaction.user.id,
        artist,
        title,
        link,
        note: note.trim() ? checkNote(note) : undefined,
        source: 'portal',
      });
      await replyPrivately(interaction, describeQueued(queued));
    },
  },
  {
    prefix: PORTAL_IDS.file,
    access: 'everyone',
    async handle(interaction) {
      await replyPrivately(
        interaction,
        'To submit a file, type `/submit`, fill in artist and title, and attach your song in the `file` option (MP3, M4A, WAV or FLAC, up to 25 MB).',
      );
    },
  },
  {
    prefix: PORTAL_IDS.history,
    access: 'everyone',
    async handle(interaction, _args, ctx) {
      const played = (
        await listUserSubmissions(ctx.database.db, interaction.guildId, interaction.user.id, 100)
      )
        .filter((s) => s.tier === 'played')
        .slice(0, 25);
      if (played.length === 0) {
        await replyPrivately(interaction, 'You have no played songs to submit again yet.');
        return;
      }
      const menu = new StringSelectMenuBuilder()
        .setCustomId(`${PORTAL_IDS.resubmit}:${interaction.user.id}`)
        .setPlaceholder('Pick a played song')
        .addOptions(
          played.map((s) => ({
            label: `${s.artist} – ${s.title}`.slice(0, 100),
            value: String(s.id),
            description: `#${s.id}, played ${s.playedAt?.toISOString().slice(0, 10) ?? ''}`,
          })),
        );
      await interaction.reply({
        content: 'Which song do you want to submit again?',
        components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)],
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_MENTIONS,
      });
    },
  },
  {
    prefix: PORTAL_IDS.resubmit,
    access: 'everyone',
    async handle(interaction, args, ctx) {
      if (!interaction.isStringSelectMenu()) return;
      if (args[0] !== interaction.user.id) {
        throw new UserFacingError(
          'forbidden',
          'That menu belongs to someone else; open your own from the portal.',
        );
      }
      const id = Number(interaction.values[0]);
      // The values are ours, but a forged one must not reach PostgreSQL as NaN or beyond bigint.
      if (!Number.isSafeInteger(id) || id < 1) {
        throw new UserFacingError('not_found', "You have no song with that id in this server's history.");
      }
      const { settings } = await getGuildConfig(ctx.database.db, interaction.guildId);
      const submission = await resubmitFromHistory(
        ctx.database.db,
        interaction.guildId,
        interaction.user.id,
        id,
        settings,
      );
      const position = (await userPositions(ctx.database.db, interaction.guildId, interaction.user.id)).find(
        (p) => p.id === submission.id,
      )?.position;
      await interaction.update({
        content: describeQueued({ submission, position: position ?? null, usedCredit: false }),
        components: [],
        allowedMentions: NO_MENTIONS,
      });
    },
  },
];
