import {
  MessageFlags,
  type InteractionReplyOptions,
  type MessageMentionOptions,
  type RepliableInteraction,
} from 'discord.js';

/** Nothing the bot sends pings anyone unless a caller opts in explicitly. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [] };

/** Characters that start Markdown in Discord; a backslash before any of them shows it as is. */
const MARKDOWN_CHARACTERS = /[\\`*_~|[\]]/g;
/** Headings, quotes and lists apply only at the start of a line, which is where embeds put names. */
const LINE_START_MARKUP = /^(?:([#>-])|(\d+)\.)/;

/**
 * User text shown in a message or embed: markdown escaped, mentions neutralised visually too
 * (allowedMentions already stops the ping), newlines flattened, length capped. Every markdown
 * character is escaped on its own: discord.js's escapeMarkdown leaves masked links (`[text](url)`)
 * live and half-escapes runs such as `***` or an odd trailing backtick, which then pair with the
 * next entry's and restyle the rest of a queue embed.
 */
export function userText(text: string, max = 100): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut
    .replace(MARKDOWN_CHARACTERS, '\\$&')
    .replace(LINE_START_MARKUP, (_all, mark?: string, digits?: string) =>
      mark ? `\\${mark}` : `${digits}\\.`,
    )
    .replace(/@/g, '@\u200b');
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
