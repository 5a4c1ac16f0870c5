/**
 * A failure the user can fix (bad input, a rule of the queue, not enough coins). Adapters turn it into
 * one ephemeral reply carrying `message`, in everyday words; everything else is logged and answered
 * with an apology. `detail` is the technical reason (a file format fact, a validation path) for the
 * logs only: it is never shown to the user.
 */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export type UserErrorCode =
  | 'illegal_move'
  | 'skip_amount_too_low'
  | 'invalid_amount'
  | 'insufficient_coins'
  | 'open_submission_exists'
  | 'duplicate_link'
  | 'cooldown'
  | 'no_open_submission'
  | 'not_found'
  | 'unsupported_link'
  | 'apple_link'
  | 'invalid_link'
  | 'unsupported_file'
  | 'file_too_large'
  | 'invalid_file_name'
  | 'invalid_text'
  | 'one_song_per_message'
  | 'invalid_backup'
  | 'already_linked'
  | 'unknown_account'
  | 'forbidden'
  | 'try_again'
  | 'reload_failed'
  | 'invalid_score'
  /** The song changed (another reviewer acted) since the page that sent the action showed it. */
  | 'stale';
