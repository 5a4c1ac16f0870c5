import { readFile } from 'node:fs/promises';
import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../../discord/module.js';
import { replyPrivately } from '../../discord/replies.js';

/**
 * package.json is three folders up from this file both in a checkout (src/features/guide/) and in
 * the build (dist/features/guide/); the npm tarball ships dist/ next to package.json too.
 */
const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

export interface PackageInfo {
  name: string;
  version: string;
  description: string;
}

/** Read when asked, so the answer is the version actually installed, not the one built against. */
export async function readPackageInfo(file: URL = PACKAGE_JSON): Promise<PackageInfo> {
  const data = JSON.parse(await readFile(file, 'utf8')) as Partial<Record<keyof PackageInfo, unknown>>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { name: text(data.name), version: text(data.version), description: text(data.description) };
}

/** `/about`: the version running and where its source code is (the AGPL's offer of source). */
export const aboutCommand: SlashCommand = {
  access: 'everyone',
  data: new SlashCommandBuilder()
    .setName('about')
    .setDescription("The bot's version and where to find its source code")
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  async execute(interaction, ctx) {
    let info: PackageInfo = { name: 'music-review-bot', version: '', description: '' };
    try {
      info = await readPackageInfo();
    } catch (error) {
      ctx.logger.warn({ err: error, file: PACKAGE_JSON.pathname }, 'could not read package.json for /about');
    }
    await replyPrivately(
      interaction,
      [
        `**${info.name}** ${info.version ? `version ${info.version}` : '(version unknown)'}`,
        info.description,
        `Source code: <${ctx.config.sourceUrl}>`,
        'Free software under the GNU AGPL 3.0: anyone may run, study, change and share it. ' +
          'Whoever runs a changed copy must offer its source code to the people using it.',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
};
