import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type Guild,
  type TextChannel,
} from 'discord.js';
import { UserFacingError } from '../../domain/errors.js';
import type {
  BotContext,
  ComponentHandler,
  ComponentInteraction,
  SlashCommand,
} from '../../discord/module.js';
import { NO_MENTIONS } from '../../discord/replies.js';
import { getGuildConfig, type GuildConfig } from '../../storage/guild-config-repo.js';
import { setChannelSetting, setReviewerRole, settingChannel } from '../admin/channel-settings.js';
import { keepOrPostEmbed } from '../embeds/embed-posting.js';
import { KIND_NAMES } from '../embeds/embed-refresh.js';
import { overlayLinkMessage } from '../overlay/overlay-commands.js';
import { findPortal, postPortal } from '../submissions/portal.js';
import { FINISH, isSetupChoice, SETUP_PREFIX, setupForm, stepOf, STEPS } from './setup-form.js';
import type { EmbedKind } from '../../storage/embed-configs-repo.js';

/** `/setup`: one private message that walks an admin from a fresh server to a stream-ready one. */
export const setupCommand: SlashCommand = {
  access: 'admin',
  data: new SlashCommandBuilder()
    .setName('setup')
    .setDescription('Set the bot up in a minute: channels, reviewer role, queue messages and stream overlay')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  async execute(interaction, ctx) {
    const config = await getGuildConfig(ctx.database.db, interaction.guildId);
    await interaction.reply({
      ...setupForm(interaction.guild, config),
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  },
};

/** Each menu saves its choice through the same setters as `/admin set-…`; Finish posts what is missing. */
export const setupHandler: ComponentHandler = {
  prefix: SETUP_PREFIX,
  access: 'admin',
  async handle(interaction, [what], ctx) {
    if (what === FINISH && interaction.isButton()) return finish(interaction, ctx);
    if (!isSetupChoice(what))
      throw new UserFacingError('not_found', 'This menu no longer works; run /setup again.');
    const guild = interaction.guild;
    const value = 'values' in interaction ? interaction.values[0] : undefined;
    let notice: string;
    try {
      if (value === undefined) throw new UserFacingError('not_found', 'Pick one from the menu.');
      if (what === 'reviewerRoleId') {
        if (!interaction.isRoleSelectMenu())
          throw new UserFacingError('not_found', 'Pick a role from the menu.');
        await setReviewerRole(ctx.database.db, guild, interaction.user.id, value);
      } else {
        if (!interaction.isChannelSelectMenu())
          throw new UserFacingError('not_found', 'Pick a channel from the menu.');
        await setChannelSetting(ctx.database.db, guild, interaction.user.id, what, value);
      }
      notice = `Saved: the ${stepOf(what).title.toLowerCase()} is now ${what === 'reviewerRoleId' ? `<@&${value}>` : `<#${value}>`}.`;
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      notice = `⚠️ Not changed: ${error.message}`;
    }
    await showForm(interaction, ctx, notice);
  },
};

async function showForm(interaction: ComponentInteraction, ctx: BotContext, notice: string): Promise<void> {
  if (!interaction.isMessageComponent()) return;
  const config = await getGuildConfig(ctx.database.db, interaction.guildId);
  await interaction.update({ ...setupForm(interaction.guild, config, notice), allowedMentions: NO_MENTIONS });
}

interface Channels {
  submissions: TextChannel;
  reviewers: TextChannel;
}

/** The stored choices, checked again: a channel may have been deleted or locked since it was chosen. */
function chosenChannels(guild: Guild, config: GuildConfig): Channels & { reviewerRoleId: string } {
  const missing = STEPS.filter((step) => !config[step.setting]).map((step) => step.title.toLowerCase());
  if (missing.length > 0 || !config.reviewerRoleId) {
    throw new UserFacingError('not_found', `Pick the ${missing.join(', ')} first.`);
  }
  settingChannel(guild, 'summaryChannelId', config.summaryChannelId ?? '');
  return {
    submissions: settingChannel(guild, 'submissionChannelId', config.submissionChannelId ?? ''),
    reviewers: settingChannel(guild, 'reviewerChannelId', config.reviewerChannelId ?? ''),
    reviewerRoleId: config.reviewerRoleId,
  };
}

/**
 * Posts what a stream needs and is not there yet. In the song requests channel: the live queue, then
 * the portal under it (the newest message, nearest where viewers type). In the reviewer channel:
 * the reviewer queue (with its Next and Remove controls) and pending skips, which only reviewers may
 * act on. An embed or portal already there is kept, so running /setup again posts nothing twice.
 */
async function finish(interaction: ComponentInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.isButton()) return;
  const config = await getGuildConfig(ctx.database.db, interaction.guildId);
  let channels: ReturnType<typeof chosenChannels>;
  try {
    channels = chosenChannels(interaction.guild, config);
  } catch (error) {
    if (!(error instanceof UserFacingError)) throw error;
    await showForm(interaction, ctx, `⚠️ Not finished: ${error.message}`);
    return;
  }
  // The menus go at once, so a second press cannot post everything twice.
  await interaction.update({
    content: 'Posting the queue messages…',
    components: [],
    allowedMentions: NO_MENTIONS,
  });
  const { submissions, reviewers, reviewerRoleId } = channels;
  const done = [
    await embedLine(ctx, submissions, 'live_queue'),
    await portalLine(submissions),
    await embedLine(ctx, reviewers, 'reviewer_queue'),
    await embedLine(ctx, reviewers, 'pending_skips'),
  ];
  const overlay = await overlayLinkMessage(ctx, interaction.guildId).catch((error: unknown) => {
    if (error instanceof UserFacingError) return `Stream overlay: ${error.message}`;
    throw error;
  });
  await interaction.editReply({
    content: [
      '**Your server is ready for the stream.**',
      ...done.map((line) => `• ${line}`),
      `• Reviewers are the members with <@&${reviewerRoleId}>; live summaries go to <#${config.summaryChannelId}>.`,
      '',
      overlay,
      '',
      'Next: connect your TikTok LIVE with `/admin tiktok connect`, and take the first song with `/next`. ' +
        'Run `/setup` again any time to change a choice; `/help` lists every command.',
    ].join('\n'),
    components: [],
    allowedMentions: NO_MENTIONS,
  });
}

/** One line of the report; a channel the bot may not post in is reported, and the rest goes on. */
async function embedLine(ctx: BotContext, channel: TextChannel, kind: EmbedKind): Promise<string> {
  try {
    const { posted } = await keepOrPostEmbed(ctx, channel, kind);
    return `${posted ? 'Posted' : 'Kept'} the ${KIND_NAMES[kind]} in <#${channel.id}>.`;
  } catch (error) {
    if (error instanceof UserFacingError) return `⚠️ No ${KIND_NAMES[kind]}: ${error.message}`;
    throw error;
  }
}

async function portalLine(channel: TextChannel): Promise<string> {
  if (await findPortal(channel)) return `Kept the submit buttons in <#${channel.id}>.`;
  await postPortal(channel);
  return `Posted the submit buttons in <#${channel.id}>.`;
}
