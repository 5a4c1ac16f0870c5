import { UserFacingError } from './errors.js';

/** Artist and title as typed: Discord's option and form limits are set to the same bound. */
export const MAX_NAME_LENGTH = 100;
export const MAX_NOTE_LENGTH = 500;

export type NameField = 'artist' | 'title';

/**
 * Mentions Discord would turn into a ping or a link: @everyone/@here, users, roles, channels, slash
 * commands and server guide links. Replies never ping (allowedMentions), but a stored mention still
 * reads as one in every view, so it is refused at the door.
 */
const MENTIONS = [/@(everyone|here)\b/i, /<(@[!&]?|#)\d+>/, /<\/[^<>:]+:\d+>/, /<id:\w+>/];
const CODE_FENCE = /```/;
const MASKED_LINK = /\[[^\]]*\]\(/;
/** Heading, subtext, quote or bullet: Markdown only at a line's start, where embed fields put the artist. */
const LINE_START_MARKDOWN = /^(#{1,3} |-# |>>> |> |[-*] )/;
/** Embeddings, overrides and isolates reorder the text around them (`song\u202Egpm.exe`). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
/**
 * Other invisible format characters are dropped, so none hides a mention (`@\u200Beveryone`); the
 * joiners and tag characters stay because emoji and some scripts are built from them.
 */
const FORMAT_CHARACTER = /\p{Cf}/gu;
const KEPT_FORMAT_CHARACTER = /^(?:\u200C|\u200D|[\u{E0020}-\u{E007F}])$/u;

/**
 * Artist or title as typed by a user: one line of plain text within bounds. `*`, `_`, `~`, `|` and
 * `#` inside a name stay ("*NSYNC", "Song_Name"): views escape the first four, and `#` only makes a
 * heading at the start of a line. Returns the cleaned name.
 */
export function checkSongName(field: NameField, value: string): string {
  if (/\p{Cc}/u.test(value) || BIDI_CONTROLS.test(value)) {
    throw refuse(`The ${field} can't contain line breaks or control characters; type it on one line.`);
  }
  const clean = tidy(value);
  checkBounds(field, clean, MAX_NAME_LENGTH);
  checkInert(clean, 'Artist and title');
  if (LINE_START_MARKDOWN.test(clean)) {
    throw refuse(
      `The ${field} can't start with \`#\`, \`>\`, \`-\` or \`*\` and a space (Discord would turn it into a heading, quote or list); remove it and try again.`,
    );
  }
  return clean;
}

/** The optional note for the reviewer: line breaks are flattened (the form allows several lines). */
export function checkNote(value: string): string {
  const flat = value.replace(/[\r\n\t]+/g, ' ');
  if (/\p{Cc}/u.test(flat) || BIDI_CONTROLS.test(flat)) {
    throw refuse("The note can't contain control characters; write it as plain text.");
  }
  const clean = tidy(flat);
  checkBounds('note', clean, MAX_NOTE_LENGTH);
  checkInert(clean, 'The note');
  return clean;
}

function tidy(value: string): string {
  return value
    .replace(FORMAT_CHARACTER, (c) => (KEPT_FORMAT_CHARACTER.test(c) ? c : ''))
    .replace(/\s+/g, ' ')
    .trim();
}

function checkBounds(field: string, clean: string, max: number): void {
  if (clean.length === 0) throw refuse(`The ${field} can't be empty.`);
  if (clean.length > max) {
    throw refuse(`The ${field} is too long (${clean.length} characters; at most ${max}).`);
  }
}

function checkInert(clean: string, subject: string): void {
  if (MENTIONS.some((pattern) => pattern.test(clean))) {
    throw refuse(
      `${subject} can't contain mentions of everyone, here, a member, a role, a channel or a command; write names as plain text, without the @.`,
    );
  }
  if (CODE_FENCE.test(clean)) {
    throw refuse(`${subject} can't contain code blocks (\`\`\`); remove the backticks and try again.`);
  }
  if (MASKED_LINK.test(clean)) {
    throw refuse(
      `${subject} can't contain links written like [text](url); give the song's link on its own and the name as plain text.`,
    );
  }
}

function refuse(message: string): UserFacingError {
  return new UserFacingError('invalid_text', message);
}
