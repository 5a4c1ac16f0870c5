import type { APIEmbed, APIMessage } from 'discord-api-types/v10';
import type { ModuleFactory } from '../../../src/discord/module.js';
import { embedsModule, type EmbedsOptions } from '../../../src/features/embeds/index.js';
import { FEATURE_MODULES } from '../../../src/features/index.js';
import { listActiveEmbeds, type EmbedConfig } from '../../../src/storage/embed-configs-repo.js';
import { startTestBot, useTestBot, type TestBot } from '../../support/bot/test-bot.js';
import type { TestDatabase } from '../../support/db/test-database.js';

/** Production timing divided by ten, so a test sees several windows and safety-net ticks quickly. */
export const FAST: Required<EmbedsOptions> = { debounceMs: 150, editSpacingMs: 100, safetyNetMs: 1_000 };
/** A safety net that never ticks during a test: only queue events can refresh an embed. */
export const EVENTS_ONLY: Required<EmbedsOptions> = { ...FAST, safetyNetMs: 600_000 };

const withEmbeds = (options: EmbedsOptions) =>
  new Map<string, ModuleFactory>([...FEATURE_MODULES, ['embeds', () => embedsModule(options)]]);

/** The shipped bot on a freshly reset database, with the embeds module at the given timing. */
export async function startEmbedBot(
  database: TestDatabase,
  options: EmbedsOptions = FAST,
  env: Record<string, string> = {},
): Promise<TestBot> {
  await database.reset();
  return startTestBot({ database, modules: withEmbeds(options), env });
}

/** `useTestBot` with the embeds module at the given timing: a fresh bot for each test. */
export const useEmbedBot = (database: TestDatabase, options: EmbedsOptions = FAST) =>
  useTestBot(database, { modules: withEmbeds(options) });

/** Runs `/admin embed create` and returns the stored embed and its message. */
export async function createEmbed(
  t: TestBot,
  kind: EmbedConfig['kind'],
  channelId = t.channels.general,
): Promise<{ config: EmbedConfig; message: APIMessage; reply: string }> {
  const handle = t.discord.slashCommand({
    channelId: t.channels.reviewers,
    user: t.users.admin,
    name: 'admin',
    subcommandGroup: 'embed',
    subcommand: 'create',
    options: { kind, channel: channelId },
  });
  const reply = String((await handle.editReply()).body.content);
  const config = (await listActiveEmbeds(t.database.db, t.guildId)).at(-1);
  const message = t.discord.channelMessages(channelId).find((m) => m.id === config?.messageId);
  if (!config || !message) throw new Error(`no embed was created: ${reply}`);
  return { config, message, reply };
}

/** The bot's edits of the embed's message (PATCH calls), in order. */
export const editsOf = (t: TestBot, config: EmbedConfig) =>
  t.discord.callsTo('PATCH', new RegExp(`^/channels/${config.channelId}/messages/${config.messageId}$`));

/** The embed's message as the channel shows it now. */
export function currentMessage(t: TestBot, config: EmbedConfig): APIMessage {
  const message = t.discord.channelMessages(config.channelId).find((m) => m.id === config.messageId);
  if (!message) throw new Error(`embed #${config.id} has no message`);
  return message;
}

export const embedOf = (message: APIMessage): APIEmbed => message.embeds[0] ?? {};

/** Custom ids of every component on the message, row by row. */
export const customIdsOf = (message: APIMessage): string[] =>
  (message.components ?? []).flatMap((row) =>
    'components' in row ? row.components.map((c) => ('custom_id' in c ? c.custom_id : '')) : [],
  );
