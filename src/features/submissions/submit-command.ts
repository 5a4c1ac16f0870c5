import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { checkUploadName } from '../../domain/audio.js';
import { UserFacingError } from '../../domain/errors.js';
import { checkSongName, MAX_NAME_LENGTH } from '../../domain/submission-text.js';
import type { GuildCommandInteraction, SlashCommand } from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { storeAudioUpload, type DownloadOptions } from './audio-upload.js';
import { acceptLink, describeQueued, queueSong, uploadsDirOf } from './submit-flow.js';

/** `/submit`; `download` bounds the fetch of an attached file. */
export const submitCommand = (download: DownloadOptions): SlashCommand => ({
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('submit')
    .setDescription('Submit a song for review: a link or an audio file')
    .addStringOption((o) =>
      o.setName('artist').setDescription('Artist name').setRequired(true).setMaxLength(MAX_NAME_LENGTH),
    )
    .addStringOption((o) =>
      o.setName('title').setDescription('Song title').setRequired(true).setMaxLength(MAX_NAME_LENGTH),
    )
    .addStringOption((o) =>
      o
        .setName('link')
        .setDescription('SoundCloud, Spotify, YouTube, Deezer or Ditto link')
        .setMaxLength(2048),
    )
    .addAttachmentOption((o) => o.setName('file').setDescription('MP3, M4A, WAV or FLAC, up to 25 MB'))
    .toJSON(),

  async execute(interaction: GuildCommandInteraction, ctx) {
    const config = await getGuildConfig(ctx.database.db, interaction.guildId);
    if (config.submissionChannelId && interaction.channelId !== config.submissionChannelId) {
      throw new UserFacingError('forbidden', `Submit songs in <#${config.submissionChannelId}>.`);
    }
    const artist = checkSongName('artist', interaction.options.getString('artist', true));
    const title = checkSongName('title', interaction.options.getString('title', true));
    const rawLink = interaction.options.getString('link');
    const attachment = interaction.options.getAttachment('file');
    if ((rawLink === null) === (attachment === null)) {
      throw new UserFacingError('invalid_link', 'Give either a link or a file (exactly one of them).');
    }
    const link = rawLink !== null ? acceptLink(rawLink) : undefined;
    if (attachment) checkUploadName(attachment.name);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const file = attachment ? await storeAudioUpload(attachment, uploadsDirOf(ctx), download) : undefined;
    const queued = await queueSong(ctx, {
      guildId: interaction.guildId,
      submitterId: interaction.user.id,
      artist,
      title,
      link,
      file,
      source: 'command',
    });
    await interaction.editReply({ content: describeQueued(queued), allowedMentions: NO_MENTIONS });
  },
});
