import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TikTokLiveSource } from '../../src/tiktok/connection.js';
import type { TikTokEventOf } from '../../src/tiktok/events.js';
import {
  chat,
  follow,
  gift,
  join,
  like,
  roomUser,
  share,
  social,
  startLocalWebcast,
  type LocalWebcast,
} from '../support/tiktok/local-webcast.js';
import { SourceRecorder } from '../support/tiktok/source-recorder.js';

/**
 * Each TikTok message type travels the real path: encoded with the library's codecs, pushed over the
 * local webcast's WebSocket, decoded and emitted by tiktok-live-connector, normalised by our source.
 */

const alice = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice ♪' };
const bob = { userId: '6898765432109876543', handle: 'bob_beats', nickname: 'Bob' };
const at = new Date('2026-11-24T20:15:00.000Z');

let webcast: LocalWebcast;
let source: TikTokLiveSource;
let recorder: SourceRecorder;

beforeAll(async () => {
  webcast = await startLocalWebcast({ handle: 'review.night' });
  source = new TikTokLiveSource(webcast.handle, { ...webcast.connectionOptions });
  recorder = new SourceRecorder(source);
  source.start();
  await recorder.nextState('live');
});

afterAll(async () => {
  await source.stop();
  await webcast.close();
});

describe('gifts', () => {
  test('a streak arrives as updates with a growing repeatCount, then one with repeatEnd', async () => {
    const rose = {
      ...alice,
      giftId: 5655,
      giftName: 'Rose',
      diamondCount: 1,
      type: 1,
      groupId: '1732476900001',
    };
    const received = recorder.nextEvents(4);
    await webcast.push([
      gift({ ...rose, repeatCount: 1, repeatEnd: false, msgId: '7440000000000000101', at }),
      gift({ ...rose, repeatCount: 2, repeatEnd: false }),
      gift({ ...rose, repeatCount: 3, repeatEnd: false }),
      gift({ ...rose, repeatCount: 3, repeatEnd: true }),
    ]);
    const events = (await received) as TikTokEventOf<'gift'>[];

    expect(events[0]).toEqual({
      kind: 'gift',
      msgId: '7440000000000000101',
      at,
      user: alice,
      giftId: 5655,
      giftName: 'Rose',
      diamondCount: 1,
      repeatCount: 1,
      repeatEnd: false,
      streakable: true,
      groupId: '1732476900001',
    });
    expect(events.map((e) => [e.repeatCount, e.repeatEnd])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [3, true],
    ]);
    expect(new Set(events.map((e) => e.groupId))).toEqual(new Set(['1732476900001']));
    expect(new Set(events.map((e) => e.msgId)).size).toBe(4);
  });

  test('a non-streakable gift arrives once, marked not streakable', async () => {
    const received = recorder.nextEvents(1);
    await webcast.push([
      gift({
        ...bob,
        giftId: 11046,
        giftName: 'Galaxy',
        diamondCount: 1000,
        type: 2,
        repeatCount: 1,
        repeatEnd: false,
        groupId: '0',
      }),
    ]);

    expect(await received).toMatchObject([
      { kind: 'gift', user: bob, giftId: 11046, giftName: 'Galaxy', diamondCount: 1000, streakable: false },
    ]);
  });
});

test('likes carry the count of the message and the running total of the LIVE', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([like({ ...alice, count: 15, total: 4821, msgId: '7440000000000000201', at })]);

  expect(await received).toEqual([
    { kind: 'like', msgId: '7440000000000000201', at, user: alice, count: 15, total: 4821 },
  ]);
});

test('a member joining arrives as a join', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([join({ ...bob, msgId: '7440000000000000301', at })]);

  expect(await received).toEqual([{ kind: 'join', msgId: '7440000000000000301', at, user: bob }]);
});

test('member messages other than joins (e.g. a subscription, action 3) are ignored', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([join({ ...alice, action: 3 }), chat({ ...alice, text: 'after the subscription' })]);

  expect(await received).toMatchObject([{ kind: 'comment', text: 'after the subscription' }]);
});

test('a chat message arrives as a comment with its text', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([chat({ ...alice, text: 'next song please 🎶', msgId: '7440000000000000401', at })]);

  expect(await received).toEqual([
    { kind: 'comment', msgId: '7440000000000000401', at, user: alice, text: 'next song please 🎶' },
  ]);
});

test('a follow arrives as a follow', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([follow({ ...bob, msgId: '7440000000000000501', at })]);

  expect(await received).toEqual([{ kind: 'follow', msgId: '7440000000000000501', at, user: bob }]);
});

test('a share arrives as a share', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([share({ ...alice, msgId: '7440000000000000601', at })]);

  expect(await received).toEqual([{ kind: 'share', msgId: '7440000000000000601', at, user: alice }]);
});

test('social messages that are neither follow nor share are ignored', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([social({ ...bob, displayKey: 'pm_mt_guidance_viewer_repost' }), follow(bob)]);

  expect(await received).toMatchObject([{ kind: 'follow', user: bob }]);
});

test('the viewer count arrives with the top viewers in rank order', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([roomUser({ total: 1234, topViewers: [bob, alice], msgId: '7440000000000000701', at })]);

  expect(await received).toEqual([
    { kind: 'viewers', msgId: '7440000000000000701', at, total: 1234, topViewers: [bob, alice] },
  ]);
});

test('messages without a user id are ignored', async () => {
  const received = recorder.nextEvents(1);
  await webcast.push([
    chat({ userId: '0', handle: 'ghost', text: 'who am I' }),
    gift({
      userId: '0',
      handle: 'ghost',
      giftId: 5655,
      diamondCount: 1,
      repeatCount: 1,
      repeatEnd: true,
      type: 1,
      groupId: '1',
    }),
    chat({ ...bob, text: 'I am bob' }),
  ]);

  expect(await received).toMatchObject([{ kind: 'comment', text: 'I am bob' }]);
});
