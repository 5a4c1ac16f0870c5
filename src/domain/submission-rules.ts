import { UserFacingError } from './errors.js';

export interface SubmissionRules {
  /** How many songs one member may have waiting in the queue (any open tier) at once. */
  maxOpenPerUser: number;
  /** Minimum time between two submissions of the same member. */
  cooldownSeconds: number;
  /** Whether a link already waiting in the queue may be submitted again. */
  allowDuplicateLinks: boolean;
}

export const DEFAULT_SUBMISSION_RULES: Readonly<SubmissionRules> = {
  maxOpenPerUser: 1,
  cooldownSeconds: 60,
  allowDuplicateLinks: false,
};

export interface NewSubmissionContext {
  /** The member's submissions in open tiers right now. */
  openByUser: number;
  /** Whether the (normalized) link is already waiting in the queue, from anyone. */
  linkAlreadyOpen: boolean;
  lastSubmittedAt: Date | null;
  now: Date;
}

/** Refuses a new submission that breaks a rule, with the first rule it breaks. */
export function checkNewSubmission(ctx: NewSubmissionContext, rules: SubmissionRules): void {
  if (ctx.openByUser >= rules.maxOpenPerUser) {
    throw new UserFacingError(
      'open_submission_exists',
      rules.maxOpenPerUser === 1
        ? 'You already have a song waiting in the queue. You can send another once it has been played, or take it out with /withdraw first.'
        : `You already have ${ctx.openByUser} songs waiting in the queue (the limit is ${rules.maxOpenPerUser}). You can send another once one of them has been played, or take one out with /withdraw first.`,
    );
  }
  if (ctx.linkAlreadyOpen && !rules.allowDuplicateLinks) {
    throw new UserFacingError('duplicate_link', 'That song is already in the queue; send a different one.');
  }
  const secondsLeft = cooldownSecondsLeft(ctx.lastSubmittedAt, ctx.now, rules.cooldownSeconds);
  if (secondsLeft > 0) {
    throw new UserFacingError(
      'cooldown',
      `You can submit again in ${secondsLeft} ${secondsLeft === 1 ? 'second' : 'seconds'}.`,
    );
  }
}

/**
 * Whole seconds until the cooldown ends, rounded up so "0 seconds" is never shown while still
 * refusing. Capped at the cooldown, so a small clock difference between the database (which stamps
 * `lastSubmittedAt`) and the bot never shows a wait longer than the rule.
 */
function cooldownSecondsLeft(last: Date | null, now: Date, cooldownSeconds: number): number {
  if (last === null) return 0;
  if (Number.isNaN(last.getTime()) || Number.isNaN(now.getTime())) {
    throw new RangeError('cooldown check needs valid dates');
  }
  const leftMs = last.getTime() + cooldownSeconds * 1000 - now.getTime();
  return Math.min(cooldownSeconds, Math.max(0, Math.ceil(leftMs / 1000)));
}
