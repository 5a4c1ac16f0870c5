import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelSelectMenuBuilder,
  ChannelType,
  RoleSelectMenuBuilder,
  type Guild,
} from 'discord.js';
import type { GuildConfig } from '../../storage/guild-config-repo.js';
import type { ChannelSetting } from '../admin/channel-settings.js';

/** Custom ids of the form: `guide:setup:<setting>` for each menu, `guide:setup:finish`. */
export const SETUP_PREFIX = 'guide:setup';
export const FINISH = 'finish';

export type SetupChoice = ChannelSetting | 'reviewerRoleId';

interface Step {
  setting: SetupChoice;
  title: string;
  purpose: string;
  placeholder: string;
}

/** The four choices, in the order a streamer thinks of them, in plain words. */
export const STEPS: readonly Step[] = [
  {
    setting: 'submissionChannelId',
    title: 'Song requests channel',
    purpose: 'viewers send their songs here; the live queue and the submit buttons are posted here',
    placeholder: '1. Pick the channel where viewers send songs',
  },
  {
    setting: 'reviewerChannelId',
    title: 'Reviewer channel',
    purpose: 'you and your reviewers take the next song here; the reviewer queue and skip requests go here',
    placeholder: '2. Pick the channel where reviewers work',
  },
  {
    setting: 'reviewerRoleId',
    title: 'Reviewer role',
    purpose: 'members with it may take, move and remove songs (so may anyone with Manage Server)',
    placeholder: '3. Pick the role of your reviewers',
  },
  {
    setting: 'summaryChannelId',
    title: 'Live summary channel',
    purpose: 'after each TikTok LIVE the bot posts its figures here',
    placeholder: '4. Pick the channel for summaries after a live',
  },
];

export function isSetupChoice(value: string | undefined): value is SetupChoice {
  return STEPS.some((step) => step.setting === value);
}

export function stepOf(setting: SetupChoice): Step {
  return STEPS.find((step) => step.setting === setting)!;
}

const shown = (setting: SetupChoice, id: string) => (setting === 'reviewerRoleId' ? `<@&${id}>` : `<#${id}>`);

/**
 * The wizard's one message: a checklist of the four choices, a menu for each (the current values
 * preselected), and Finish once all four are made. Every step re-renders it with a notice on top.
 */
export function setupForm(guild: Guild, config: GuildConfig, notice?: string) {
  const lines = STEPS.map((step, i) => {
    const id = config[step.setting];
    const value = id ? shown(step.setting, id) : 'not chosen yet';
    return `${id ? '✅' : '⬜'} **${i + 1}. ${step.title}**: ${value}. ${capitalise(step.purpose)}.`;
  });
  const next = STEPS.find((step) => !config[step.setting]);
  const hint = next
    ? `Next: ${next.placeholder.slice(3).toLowerCase()} in the menu below.`
    : 'All set: press **Finish** to post the queue messages and get your stream overlay.';
  const content = [
    ...(notice ? [notice, ''] : []),
    '**Set up the song queue**: four choices, then Finish. Each choice is saved as you make it.',
    ...lines,
    '',
    hint,
  ].join('\n');

  const rows: ActionRowBuilder<ChannelSelectMenuBuilder | RoleSelectMenuBuilder | ButtonBuilder>[] =
    STEPS.map((step) => {
      const customId = `${SETUP_PREFIX}:${step.setting}`;
      const current = config[step.setting];
      if (step.setting === 'reviewerRoleId') {
        const menu = new RoleSelectMenuBuilder().setCustomId(customId).setPlaceholder(step.placeholder);
        // A default Discord does not know would make it refuse the whole message.
        if (current && guild.roles.cache.has(current)) menu.setDefaultRoles(current);
        return new ActionRowBuilder<RoleSelectMenuBuilder>().addComponents(menu);
      }
      const menu = new ChannelSelectMenuBuilder()
        .setCustomId(customId)
        .setPlaceholder(step.placeholder)
        .setChannelTypes(ChannelType.GuildText);
      if (current && guild.channels.cache.has(current)) menu.setDefaultChannels(current);
      return new ActionRowBuilder<ChannelSelectMenuBuilder>().addComponents(menu);
    });
  rows.push(
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(`${SETUP_PREFIX}:${FINISH}`)
        .setLabel('Finish')
        .setStyle(ButtonStyle.Success)
        .setDisabled(next !== undefined),
    ),
  );
  return { content, components: rows };
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
