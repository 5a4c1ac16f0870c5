import { UserFacingError } from '../../domain/errors.js';

/** Custom-id prefixes of the reviewer buttons; the submission id follows as `<prefix>:<id>`. */
export const REVIEW_IDS = {
  next: 'review:next',
  remove: 'review:remove',
  restore: 'review:restore',
  undo: 'review:undo',
  rate: 'review:rate',
  correct: 'review:correct',
  /** The rating form; `:<id>:correct` when it corrects. */
  rateForm: 'review:rate-form',
  confirm: 'review:confirm',
  reject: 'review:reject',
} as const;

/** The submission id a button carries; a forged or mangled one is refused like an unknown id. */
export function submissionIdFrom(args: string[]): number {
  const id = Number(args[0]);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new UserFacingError('not_found', 'This button no longer works; use the slash command instead.');
  }
  return id;
}
