import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type AttachmentPayload,
  type MessageCreateOptions,
} from 'discord.js';
import { formatScore, MAX_VERDICT_LENGTH } from '../../domain/ratings.js';
import { TIER_LABELS, type Tier } from '../../domain/tiers.js';
import { NO_MENTIONS, userText } from '../../discord/replies.js';
import type { ReviewPreferences } from '../../storage/review-repo.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { REVIEW_IDS } from './review-ids.js';

/**
 * What Discord lets a bot upload where no server boost raises it. Interactions carry the channel's real
 * limit (`attachment_size_limit`); we accept uploads up to 25 MB, so a larger song is not re-posted.
 */
export const DEFAULT_ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The public "Now reviewing" post. The submitter is mentioned unless they opted out, and the mention
 * is allowed for them alone, so nothing else in the post (user text included) can ping anyone.
 */
export async function nowReviewingMessage(
  song: SubmissionRecord & { servedFrom: Tier },
  preferences: ReviewPreferences,
  uploadsDir: string,
  attachmentLimitBytes = DEFAULT_ATTACHMENT_LIMIT_BYTES,
): Promise<MessageCreateOptions> {
  const tier =
    song.servedFrom === 'skip25'
      ? `${TIER_LABELS.skip25} (${song.skipAmount.toLocaleString('en-US')})`
      : TIER_LABELS[song.servedFrom];
  const lines = [`🎧 **Now reviewing:** **${userText(song.artist)} – ${userText(song.title)}**`];
  lines.push(
    preferences.mentionWhenReviewed
      ? `${tier} · submitted by <@${song.submitterId}> · id ${song.id}`
      : `${tier} · id ${song.id}`,
  );
  if (song.note) lines.push(`Note: ${userText(song.note, 500)}`);
  const files: AttachmentPayload[] = [];
  if (song.link) lines.push(song.link);
  else if (song.filePath) {
    const upload = await uploadedFile(song, uploadsDir);
    if (!upload)
      lines.push('The uploaded file is missing on the server; ask the submitter to send it again.');
    else if (upload.bytes > attachmentLimitBytes)
      lines.push(
        `The uploaded file (${(upload.bytes / 1024 / 1024).toFixed(1)} MB) is larger than this server lets me post; play it in the studio (/studio).`,
      );
    else files.push(upload.file);
  }
  return {
    content: lines.join('\n'),
    files,
    components: [reviewButtons(song.id)],
    allowedMentions: preferences.mentionWhenReviewed ? { users: [song.submitterId] } : NO_MENTIONS,
  };
}

/**
 * Next for the following song; for this one, Rate (a score and verdict, in a form), Undo (a take by
 * mistake, back to its place, within the server's window), Back to the queue (to Free, any time) and
 * Remove.
 */
export function reviewButtons(id: number, { nextOnly = false } = {}): ActionRowBuilder<ButtonBuilder> {
  const next = new ButtonBuilder()
    .setCustomId(REVIEW_IDS.next)
    .setLabel('Next song')
    .setStyle(ButtonStyle.Primary);
  if (nextOnly) return new ActionRowBuilder<ButtonBuilder>().addComponents(next);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    next,
    new ButtonBuilder()
      .setCustomId(`${REVIEW_IDS.rate}:${id}`)
      .setLabel('Rate')
      .setStyle(ButtonStyle.Success),
    new ButtonBuilder()
      .setCustomId(`${REVIEW_IDS.undo}:${id}`)
      .setLabel('Undo')
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder()
      .setCustomId(`${REVIEW_IDS.restore}:${id}`)
      .setLabel('Back to the queue')
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder()
      .setCustomId(`${REVIEW_IDS.remove}:${id}`)
      .setLabel('Remove')
      .setStyle(ButtonStyle.Danger),
  );
}

/**
 * A rated song's post: Next, Correct the rating, and Remove (a troll found out late). Undo and Back
 * to the queue go: a song rated was reviewed on purpose (/undo-next and /restore still can).
 */
export function ratedButtons(id: number): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(REVIEW_IDS.next).setLabel('Next song').setStyle(ButtonStyle.Primary),
    new ButtonBuilder()
      .setCustomId(`${REVIEW_IDS.correct}:${id}`)
      .setLabel('Correct the rating')
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder()
      .setCustomId(`${REVIEW_IDS.remove}:${id}`)
      .setLabel('Remove')
      .setStyle(ButtonStyle.Danger),
  );
}

const REVIEWED_HEADER = '✅ **Reviewed:';

/**
 * The post once rated: its header ("Now reviewing", or an earlier rating's two lines) becomes the
 * score and verdict over the song's name; the lines below (tier, submitter, note, link) stay. The
 * verdict is user text: escaped, so its markdown and mentions show as typed.
 */
export function reviewedContent(
  postContent: string,
  song: { artist: string; title: string },
  rating: { scoreTenths: number; verdict: string | null },
): string {
  const lines = postContent.split('\n');
  const below = lines.slice(lines[0]?.startsWith(REVIEWED_HEADER) ? 2 : 1);
  const verdict = rating.verdict ? ` — ${userText(rating.verdict, MAX_VERDICT_LENGTH)}` : '';
  return [
    `${REVIEWED_HEADER} ${formatScore(rating.scoreTenths)}/10**${verdict}`,
    `**${userText(song.artist)} – ${userText(song.title)}**`,
    ...below,
  ].join('\n');
}

/** Stored names are `<uuid>.<ext>`; the submitter's file name is display only, so it is cleaned. */
async function uploadedFile(
  song: SubmissionRecord,
  uploadsDir: string,
): Promise<{ file: AttachmentPayload; bytes: number } | null> {
  const stored = path.join(uploadsDir, path.basename(song.filePath ?? ''));
  let bytes: number;
  try {
    bytes = (await fs.stat(stored)).size;
  } catch {
    return null;
  }
  const extension = path.extname(stored);
  const shown = (song.fileName ?? 'song')
    .replace(/\.[^.]*$/, '')
    .replace(/[^\w\- ]+/g, '_')
    .slice(0, 80);
  return { file: { attachment: stored, name: `${shown || 'song'}${extension}` }, bytes };
}
