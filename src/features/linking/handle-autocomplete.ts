import type { AutocompleteInteraction } from 'discord.js';
import type { BotContext } from '../../discord/module.js';
import { searchAccounts } from '../../storage/tiktok-accounts-repo.js';

/** Suggests TikTok accounts seen in this guild's lives whose handle starts with what is typed. */
export async function suggestHandles(
  interaction: AutocompleteInteraction<'cached'>,
  ctx: BotContext,
): Promise<void> {
  const accounts = await searchAccounts(
    ctx.database.db,
    interaction.guildId,
    interaction.options.getFocused(),
  );
  await interaction.respond(
    accounts.map((a) => ({
      // Choice names are plain text in the client (no markdown, no pings); Discord caps them at 100.
      name: (a.nickname ? `@${a.handle} (${a.nickname})` : `@${a.handle}`).slice(0, 100),
      value: a.handle,
    })),
  );
}
