import { describe, expect, it } from 'vitest';
import {
  checkNewSubmission,
  DEFAULT_SUBMISSION_RULES,
  type NewSubmissionContext,
  type SubmissionRules,
} from '../../src/domain/submission-rules.js';
import { catchUserError } from './catch-user-error.js';

const NOW = new Date(Date.UTC(2025, 0, 1, 20, 0, 0));
const secondsAgo = (s: number): Date => new Date(NOW.getTime() - s * 1000);

function ctx(over: Partial<NewSubmissionContext> = {}): NewSubmissionContext {
  return { openByUser: 0, linkAlreadyOpen: false, lastSubmittedAt: null, now: NOW, ...over };
}

const rules = DEFAULT_SUBMISSION_RULES;

describe('new submission rules', () => {
  it('default to one open song per member, a 60-second cooldown and no duplicate links', () => {
    expect(DEFAULT_SUBMISSION_RULES).toEqual({
      maxOpenPerUser: 1,
      cooldownSeconds: 60,
      allowDuplicateLinks: false,
    });
  });

  it("accept a member's first submission", () => {
    expect(() => checkNewSubmission(ctx(), rules)).not.toThrow();
  });

  it('refuse a second song while the first is still waiting, offering only what a viewer can do: wait', () => {
    const error = catchUserError(() => checkNewSubmission(ctx({ openByUser: 1 }), rules));
    expect(error.code).toBe('open_submission_exists');
    expect(error.message).toBe(
      'You already have a song waiting in the queue. You can send another once it has been played, or take it out with /withdraw first.',
    );
    expect(error.message).not.toMatch(/remove/i);
  });

  it('allow up to the configured number of open songs', () => {
    const three: SubmissionRules = { ...rules, maxOpenPerUser: 3 };
    expect(() => checkNewSubmission(ctx({ openByUser: 2 }), three)).not.toThrow();
    const error = catchUserError(() => checkNewSubmission(ctx({ openByUser: 3 }), three));
    expect(error.code).toBe('open_submission_exists');
    expect(error.message).toContain('the limit is 3');
  });

  it('refuse a link that is already in the queue', () => {
    expect(catchUserError(() => checkNewSubmission(ctx({ linkAlreadyOpen: true }), rules)).code).toBe(
      'duplicate_link',
    );
  });

  it('accept a link already in the queue when duplicates are allowed', () => {
    const lenient: SubmissionRules = { ...rules, allowDuplicateLinks: true };
    expect(() => checkNewSubmission(ctx({ linkAlreadyOpen: true }), lenient)).not.toThrow();
  });

  it('refuse a submission 20 seconds after the last one, saying 40 seconds are left', () => {
    const error = catchUserError(() => checkNewSubmission(ctx({ lastSubmittedAt: secondsAgo(20) }), rules));
    expect(error.code).toBe('cooldown');
    expect(error.message).toBe('You can submit again in 40 seconds.');
  });

  it('round the wait up, so half a second left reads "1 second"', () => {
    expect(
      catchUserError(() => checkNewSubmission(ctx({ lastSubmittedAt: secondsAgo(59.5) }), rules)).message,
    ).toBe('You can submit again in 1 second.');
  });

  it('accept a submission exactly when the cooldown ends', () => {
    expect(() => checkNewSubmission(ctx({ lastSubmittedAt: secondsAgo(60) }), rules)).not.toThrow();
  });

  it('accept back-to-back submissions when the cooldown is 0', () => {
    const none: SubmissionRules = { ...rules, cooldownSeconds: 0 };
    expect(() => checkNewSubmission(ctx({ lastSubmittedAt: NOW }), none)).not.toThrow();
  });

  it('never announce a wait longer than the cooldown when clocks disagree', () => {
    expect(
      catchUserError(() => checkNewSubmission(ctx({ lastSubmittedAt: secondsAgo(-5) }), rules)).message,
    ).toBe('You can submit again in 60 seconds.');
  });

  it('report the open song before a duplicate link, and a duplicate before the cooldown', () => {
    const all = ctx({ openByUser: 1, linkAlreadyOpen: true, lastSubmittedAt: secondsAgo(1) });
    expect(catchUserError(() => checkNewSubmission(all, rules)).code).toBe('open_submission_exists');
    expect(catchUserError(() => checkNewSubmission({ ...all, openByUser: 0 }, rules)).code).toBe(
      'duplicate_link',
    );
  });

  it('treat an invalid date as a programming error', () => {
    expect(() => checkNewSubmission(ctx({ lastSubmittedAt: new Date(Number.NaN) }), rules)).toThrow(
      RangeError,
    );
  });
});
