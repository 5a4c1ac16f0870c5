import { UserFacingError } from '../../src/domain/errors.js';

/** Runs `fn`, which must refuse with a UserFacingError, and returns that error for inspection. */
export function catchUserError(fn: () => unknown): UserFacingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserFacingError) return error;
    throw error;
  }
  throw new Error('expected a UserFacingError, but nothing was thrown');
}
