import { describe, expect, test } from 'vitest';
import { parseTikTokEvent } from '../../src/tiktok/event-schema.js';
import type { TikTokEvent } from '../../src/tiktok/events.js';

const at = new Date('2026-11-24T20:15:00.000Z');
const user = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice ♪' };

const valid: TikTokEvent[] = [
  {
    kind: 'gift',
    msgId: '7440000000000000101',
    at,
    user,
    giftId: 5655,
    giftName: 'Rose',
    diamondCount: 1,
    repeatCount: 3,
    repeatEnd: true,
    streakable: true,
    groupId: '1732476900001',
  },
  { kind: 'like', msgId: '7440000000000000201', at, user, count: 15, total: 4821 },
  { kind: 'join', msgId: '7440000000000000301', at, user },
  { kind: 'comment', msgId: '7440000000000000401', at, user, text: 'next song please 🎶' },
  { kind: 'share', msgId: '7440000000000000501', at, user },
  { kind: 'follow', msgId: '7440000000000000601', at, user },
  { kind: 'viewers', msgId: '7440000000000000701', at, total: 1234, topViewers: [user] },
  { kind: 'streamEnd', msgId: '7440000000000000801', at, action: 3 },
];

/** What a webhook receives: the event after a JSON round trip (`at` becomes an ISO string). */
const asJson = (event: unknown): unknown => JSON.parse(JSON.stringify(event));
const like = valid[1]!;

describe('accepted', () => {
  test.each(valid.map((event) => [event.kind, event] as const))('a %s event, relayed as JSON', (_, event) => {
    expect(parseTikTokEvent(asJson(event))).toEqual({ ok: true, event });
  });

  test('a Date for `at` is accepted as well as an ISO string', () => {
    expect(parseTikTokEvent(like)).toEqual({ ok: true, event: like });
  });

  test('a gift outside any streak may carry groupId 0', () => {
    const gift = { ...valid[0]!, groupId: '0', streakable: false };
    expect(parseTikTokEvent(asJson(gift))).toMatchObject({ ok: true });
  });
});

describe('refused, with one readable line per problem', () => {
  test('an unknown kind', () => {
    expect(parseTikTokEvent({ ...(asJson(like) as object), kind: 'subscribe' })).toEqual({
      ok: false,
      issues: ['kind: unknown event kind'],
    });
  });

  test('something that is not an object', () => {
    expect(parseTikTokEvent('gift')).toEqual({
      ok: false,
      issues: [expect.stringContaining('expected object')],
    });
  });

  test('ids that are not decimal strings', () => {
    const event = {
      ...(asJson(like) as object),
      msgId: 744201,
      user: { ...user, userId: 'abc' },
    };
    expect(parseTikTokEvent(event)).toEqual({
      ok: false,
      issues: [
        expect.stringMatching(/^msgId: /),
        'user.userId: must be a non-zero decimal id (up to 20 digits)',
      ],
    });
  });

  test('an id of 0 (proto "unset") or longer than 64 bits', () => {
    expect(parseTikTokEvent({ ...(asJson(like) as object), msgId: '0' })).toMatchObject({ ok: false });
    expect(parseTikTokEvent({ ...(asJson(like) as object), msgId: '1'.repeat(21) })).toMatchObject({
      ok: false,
    });
  });

  test('wrong types', () => {
    const gift = { ...(asJson(valid[0]) as object), repeatEnd: 'yes', diamondCount: '1' };
    expect(parseTikTokEvent(gift)).toEqual({
      ok: false,
      issues: [
        'diamondCount: Invalid input: expected number, received string',
        'repeatEnd: Invalid input: expected boolean, received string',
      ],
    });
  });

  test('absurd numbers', () => {
    const gift = { ...(asJson(valid[0]) as object), diamondCount: 5_000_000, repeatCount: -1, giftId: 1.5 };
    const result = parseTikTokEvent(gift);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((issue) => issue.split(':')[0])).toEqual([
      'giftId',
      'diamondCount',
      'repeatCount',
    ]);
  });

  test('a time that is not a date, or outside 2016–2100 (a seconds/milliseconds mix-up)', () => {
    expect(parseTikTokEvent({ ...(asJson(like) as object), at: 'yesterday' })).toEqual({
      ok: false,
      issues: ['at: must be an ISO 8601 date-time'],
    });
    expect(parseTikTokEvent({ ...(asJson(like) as object), at: new Date(1_764_000_000) })).toEqual({
      ok: false,
      issues: ['at: must be a date between 2016 and 2100'],
    });
  });

  test('strings over sane lengths', () => {
    const comment = {
      ...(asJson(valid[3]) as object),
      text: 'x'.repeat(501),
      user: { ...user, handle: 'h'.repeat(65) },
    };
    expect(parseTikTokEvent(comment)).toEqual({
      ok: false,
      issues: [
        'user.handle: Too big: expected string to have <=64 characters',
        'text: Too big: expected string to have <=500 characters',
      ],
    });
  });

  test('unknown keys', () => {
    expect(parseTikTokEvent({ ...(asJson(like) as object), isAdmin: true })).toEqual({
      ok: false,
      issues: ['Unrecognized key: "isAdmin"'],
    });
  });

  test('a stream end with an action other than ended (3) or suspended (4)', () => {
    expect(parseTikTokEvent({ ...(asJson(valid[7]) as object), action: 1 })).toEqual({
      ok: false,
      issues: ['action: must be 3 (ended) or 4 (suspended)'],
    });
  });
});
