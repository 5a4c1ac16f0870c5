import fs from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../../domain/errors.js';
import { classifyLink, type Platform } from '../../domain/links.js';
import { TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import { userText } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import type { SubmissionRecord } from '../../storage/submission-record.js';
import { submitSong, userPositions, type NewSubmission } from '../../storage/submissions-repo.js';
import type { StoredUpload } from './audio-upload.js';

/** A link checked against the accepted platforms; refusals say which platforms work. */
export function acceptLink(raw: string): { url: string; platform: Platform } {
  const result = classifyLink(raw);
  if (!result.ok) throw new UserFacingError(result.code, result.message);
  return { url: result.url, platform: result.platform };
}

export interface QueuedSong {
  submission: SubmissionRecord;
  /** Place among the serving tiers (1 = next). */
  position: number | null;
  usedCredit: boolean;
}

/** Queues a song for a Discord user and signals the queue views. */
export async function queueSong(
  ctx: BotContext,
  input: Omit<NewSubmission, 'file'> & { file?: StoredUpload | undefined },
): Promise<QueuedSong> {
  const uploadsDir = uploadsDirOf(ctx);
  const { settings } = await getGuildConfig(ctx.database.db, input.guildId);
  try {
    const { submission, usedCredit } = await submitSong(
      ctx.database.db,
      {
        ...input,
        file: input.file ? { path: input.file.storedName, name: input.file.displayName } : undefined,
      },
      settings,
    );
    const mine = await userPositions(ctx.database.db, input.guildId, input.submitterId);
    return { submission, usedCredit, position: mine.find((m) => m.id === submission.id)?.position ?? null };
  } catch (error) {
    // Refused: the uploaded file has no submission pointing at it, so nothing is kept.
    if (input.file) await fs.rm(path.join(uploadsDir, input.file.storedName), { force: true });
    throw error;
  }
}

export function uploadsDirOf(ctx: BotContext): string {
  return path.join(ctx.config.dataDir, 'uploads');
}

/** "Queued **Artist – Title** in Free: you're #3 in line." */
export function describeQueued(q: QueuedSong): string {
  const song = `**${userText(q.submission.artist)} – ${userText(q.submission.title)}**`;
  const where = q.position !== null ? `you're #${q.position} in line` : 'waiting for a reviewer';
  const credit = q.usedCredit ? ' Your skip credit from a removed song was applied.' : '';
  return `Queued ${song} in ${TIER_LABELS[q.submission.tier]}: ${where}.${credit}`;
}
