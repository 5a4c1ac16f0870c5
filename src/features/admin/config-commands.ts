import { EmbedBuilder } from 'discord.js';
import type { AdminSubcommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import { settingLabel } from '../../domain/guild-settings.js';
import { changeSetting, settingChangeMessage } from './setting-change.js';
import { readSetting, SETTING_KEYS, settingSection, showSetting } from './setting-keys.js';

const CONFIG_GROUP = { name: 'config', description: 'Show or change this server’s queue settings' };

const where = (id: string | null, kind: '#' | '@&') => (id ? `<${kind}${id}>` : 'not set');

export const configShowSubcommand: AdminSubcommand = {
  group: CONFIG_GROUP,
  name: 'show',
  description: 'Show the channels, roles and settings in use',
  async execute(interaction, ctx) {
    const config = await getGuildConfig(ctx.database.db, interaction.guildId);
    const channels = [
      `Submission channel: ${where(config.submissionChannelId, '#')}`,
      `Reviewer channel: ${where(config.reviewerChannelId, '#')}`,
      `Reviewer role: ${where(config.reviewerRoleId, '@&')}`,
      `Summary channel: ${where(config.summaryChannelId, '#')}`,
    ];
    const lines: string[] = [];
    let section: string | undefined;
    for (const key of SETTING_KEYS) {
      if (settingSection(key) !== section) {
        section = settingSection(key);
        lines.push('', `**${section}**`);
      }
      lines.push(
        `${settingLabel(key, config.settings)}: ${showSetting(key, readSetting(config.settings, key))}`,
      );
    }
    const embed = new EmbedBuilder()
      .setTitle('Server settings')
      .setDescription(`${channels.join('\n')}\n${lines.join('\n')}`)
      .setFooter({ text: 'Change one with /admin config set' });
    await replyPrivately(interaction, '', { embeds: [embed] });
  },
};

export const configSetSubcommand: AdminSubcommand = {
  group: CONFIG_GROUP,
  name: 'set',
  description: 'Change one setting',
  options: (b) =>
    b
      .addStringOption((o) =>
        o.setName('key').setDescription('The setting').setRequired(true).setAutocomplete(true),
      )
      .addStringOption((o) =>
        o
          .setName('value')
          .setDescription('A number, on/off, or a skip tier')
          .setRequired(true)
          .setMaxLength(40),
      ),
  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused().toLowerCase();
    const { settings } = await getGuildConfig(ctx.database.db, interaction.guildId);
    const keys = SETTING_KEYS.filter(
      (k) => k.toLowerCase().includes(typed) || settingLabel(k, settings).toLowerCase().includes(typed),
    );
    // Admins read the label; the key travels as the value.
    await interaction.respond(
      keys.slice(0, 25).map((key) => ({
        name: `${settingLabel(key, settings)} (now ${showSetting(key, readSetting(settings, key))})`.slice(
          0,
          100,
        ),
        value: key,
      })),
    );
  },
  async execute(interaction, ctx) {
    const change = await changeSetting(
      ctx.database.db,
      interaction.guildId,
      interaction.user.id,
      interaction.options.getString('key', true),
      interaction.options.getString('value', true),
    );
    await replyPrivately(interaction, settingChangeMessage(change));
  },
};
