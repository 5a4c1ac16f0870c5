import type { RepliableInteraction } from 'discord.js';
import { UserFacingError } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';
import { replyPrivately } from './replies.js';

/** Connection-level failures of PostgreSQL (server restarting, network): worth a retry later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; cause?: unknown; message?: string } | null;
  if (!e) return false;
  if (e.code && /^(08|57P0)/.test(e.code)) return true;
  if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT') return true;
  if (
    typeof e.message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect/i.test(e.message)
  ) {
    return true;
  }
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}

/**
 * The one place a failed interaction becomes a reply: a rule the user can fix gets its message, an
 * outage gets "try again shortly", anything else is logged and answered with an apology.
 */
/**
 * What a member is told when their command, button or message failed: a `UserFacingError`'s own
 * message; for anything else a plain apology, the detail going to the log.
 */
export function failureMessage(error: unknown, logger: Logger, what: string): string {
  if (error instanceof UserFacingError) {
    if (error.detail !== undefined)
      logger.info({ code: error.code, detail: error.detail, what }, 'refused with a reason for the user');
    return error.message;
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, what }, 'database unavailable during an interaction');
    return 'The queue is briefly unavailable; try again shortly.';
  }
  logger.error({ err: error, what }, 'interaction failed');
  return 'Sorry, something went wrong on our side. The team has been told; try again in a moment.';
}

export async function answerFailure(
  interaction: RepliableInteraction,
  error: unknown,
  logger: Logger,
  what: string,
): Promise<void> {
  const message = failureMessage(error, logger, what);
  try {
    await replyPrivately(interaction, message);
  } catch (replyError) {
    logger.warn({ err: replyError, what }, 'could not answer a failed interaction');
  }
}
