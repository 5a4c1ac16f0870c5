import { z } from 'zod';
import type { TikTokEvent } from './events.js';

/**
 * Validates a `TikTokEvent` that arrived as JSON (e.g. relayed through a webhook): unknown kinds and
 * unknown keys are refused, ids must be decimal strings, numbers must be plausible for a TikTok LIVE and
 * strings short. `at` is accepted as an ISO 8601 string (what `JSON.stringify` produces) or a Date.
 */

/** TikTok ids are unsigned 64-bit integers: at most 20 digits, and 0 means "unset". */
const id = z.string().regex(/^[1-9][0-9]{0,19}$/, 'must be a non-zero decimal id (up to 20 digits)');
/** A gift that is not part of a streak carries groupId 0. */
const groupId = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'must be a decimal id (up to 20 digits)');

/** TikTok LIVE launched in 2017; anything outside 2016–2100 is a unit mistake (seconds vs ms) or junk. */
const EARLIEST = new Date('2016-01-01T00:00:00Z');
const LATEST = new Date('2100-01-01T00:00:00Z');
const at = z
  .union([z.date(), z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' })])
  .transform((value) => new Date(value))
  .refine((date) => date >= EARLIEST && date < LATEST, 'must be a date between 2016 and 2100');

const count = (max: number) => z.int().min(0).max(max);

const user = z.strictObject({
  userId: id,
  handle: z.string().min(1).max(64),
  nickname: z.string().max(128),
});

const base = { msgId: id, at };

export const tikTokEventSchema: z.ZodType<TikTokEvent> = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('gift'),
      ...base,
      user,
      giftId: z.int().min(1).max(1_000_000_000),
      giftName: z.string().max(100),
      // The dearest gift costs tens of thousands of diamonds; a million is junk.
      diamondCount: count(1_000_000),
      repeatCount: count(100_000),
      repeatEnd: z.boolean(),
      streakable: z.boolean(),
      groupId,
    }),
    z.strictObject({ kind: z.literal('like'), ...base, user, count: count(100_000), total: count(1e12) }),
    z.strictObject({ kind: z.literal('join'), ...base, user }),
    // TikTok caps comments at 150 characters; 500 leaves room for UTF-16 surrogate pairs.
    z.strictObject({ kind: z.literal('comment'), ...base, user, text: z.string().max(500) }),
    z.strictObject({ kind: z.literal('share'), ...base, user }),
    z.strictObject({ kind: z.literal('follow'), ...base, user }),
    z.strictObject({
      kind: z.literal('viewers'),
      ...base,
      total: count(100_000_000),
      topViewers: z.array(user).max(100),
    }),
    z.strictObject({
      kind: z.literal('streamEnd'),
      ...base,
      action: z.union([z.literal(3), z.literal(4)], { error: 'must be 3 (ended) or 4 (suspended)' }),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'unknown event kind' : undefined) },
);

export type TikTokEventParseResult = { ok: true; event: TikTokEvent } | { ok: false; issues: string[] };

/** One readable line per problem, e.g. `user.userId: must be a non-zero decimal id (up to 20 digits)`. */
export function parseTikTokEvent(input: unknown): TikTokEventParseResult {
  const result = tikTokEventSchema.safeParse(input);
  if (result.success) return { ok: true, event: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    }),
  };
}
