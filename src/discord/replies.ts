import {
  escapeMarkdown,
  MessageFlags,
  type InteractionReplyOptions,
  type MessageMentionOptions,
  type RepliableInteraction,
} from 'discord.js';

/** Nothing the bot sends pings anyone unless a caller opts in explicitly. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [] };

/**
 * User text shown in a message or embed: markdown escaped, mentions neutralised visually too
 * (allowedMentions already stops the ping), newlines flattened, length capped.
 */
export function userText(text: string, max = 100): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return escapeMarkdown(cut).replace(/@/g, '@\u200b');
}

/** An ephemeral answer, whether or not the interaction was already deferred or answered. */
export async function replyPrivately(
  interaction: RepliableInteraction,
  content: string,
  extra: Omit<InteractionReplyOptions, 'content' | 'flags'> = {},
): Promise<void> {
  const options = { content, allowedMentions: NO_MENTIONS, ...extra };
  if (interaction.deferred && !interaction.replied) {
    await interaction.editReply(options);
  } else if (interaction.replied) {
    await interaction.followUp({ ...options, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ ...options, flags: MessageFlags.Ephemeral });
  }
}
