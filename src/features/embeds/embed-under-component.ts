import { UserFacingError } from '../../domain/errors.js';
import type { ComponentInteraction } from '../../discord/module.js';
import type { Queryable } from '../../storage/connect.js';
import { getEmbedConfig, type EmbedConfig } from '../../storage/embed-configs-repo.js';

/**
 * The active embed whose message carries the pressed component. A custom id is client input: a
 * forged embed id, another guild's embed or an old copy of the message is refused like a stale one.
 */
export async function embedUnderComponent(
  db: Queryable,
  interaction: ComponentInteraction,
  embedIdArg: string | undefined,
): Promise<EmbedConfig> {
  const id = Number(embedIdArg);
  const config = Number.isSafeInteger(id) ? await getEmbedConfig(db, interaction.guildId, id) : undefined;
  if (!config?.active || !interaction.message || config.messageId !== interaction.message.id) {
    throw new UserFacingError('not_found', 'This queue message no longer updates.');
  }
  return config;
}
