import { SignConfig } from 'tiktok-live-connector';
import { afterEach, expect, test, vi } from 'vitest';
import { TikTokLiveSource, type TikTokLiveSourceOptions } from '../../src/tiktok/connection.js';
import {
  chat,
  gift,
  roomUser,
  startLocalWebcast,
  streamEnd,
  type LocalWebcast,
  type LocalWebcastOptions,
} from '../support/tiktok/local-webcast.js';
import { SourceRecorder } from '../support/tiktok/source-recorder.js';

/**
 * How the source lives with a real tiktok-live-connector against the local webcast: connecting,
 * waiting for the streamer, reconnecting, rate limits, stream end and stop. Backoff and polling are
 * shortened so the tests wait milliseconds; jitter is pinned (random = 0.5 → exactly the exponential).
 */

const alice = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice' };
const quick = { backoff: { minMs: 50, maxMs: 400 }, offlinePollMs: 50, random: () => 0.5 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function webcastFor(options: LocalWebcastOptions = {}): Promise<LocalWebcast> {
  const webcast = await startLocalWebcast(options);
  cleanups.push(() => webcast.close());
  return webcast;
}

function sourceFor(webcast: LocalWebcast, options: TikTokLiveSourceOptions = {}) {
  const source = new TikTokLiveSource(webcast.handle, { ...webcast.connectionOptions, ...quick, ...options });
  const recorder = new SourceRecorder(source);
  cleanups.push(() => source.stop());
  return { source, recorder };
}

const countOf = (recorder: SourceRecorder, type: string) =>
  recorder.states().filter((state) => state.type === type).length;

test('the replayed first batch is delivered before the live state', async () => {
  const webcast = await webcastFor();
  webcast.setInitialBatch([
    chat({ ...alice, text: 'first!' }),
    gift({ ...alice, giftId: 5655, diamondCount: 1, repeatCount: 1, repeatEnd: true, type: 1, groupId: '9' }),
  ]);
  const { source, recorder } = sourceFor(webcast);

  source.start();
  await recorder.nextState('live');

  // The library emits the first batch while connect() runs, before its `connected` event.
  expect(recorder.timeline()).toEqual(['state:connecting', 'event:comment', 'event:gift', 'state:live']);
  expect(source.state).toMatchObject({
    type: 'live',
    roomId: webcast.roomId,
    lastError: null,
    lastProblem: null,
    nextAttemptAt: null,
  });
});

test('after a drop it reconnects by itself, with backoff, and receives the first batch again', async () => {
  const webcast = await webcastFor();
  webcast.setInitialBatch([chat({ ...alice, text: 'replayed', msgId: '7440000000000001001' })]);
  const { source, recorder } = sourceFor(webcast);
  source.start();
  await recorder.nextState('live');

  const reconnecting = recorder.nextState('reconnecting');
  const droppedAt = Date.now();
  webcast.dropConnections();
  expect(await reconnecting).toMatchObject({
    roomId: webcast.roomId,
    failures: 1,
    lastError: expect.stringContaining('code 1006'),
    lastProblem: 'dropped',
  });
  await recorder.waitFor('live again', () => countOf(recorder, 'live') === 2);

  expect(recorder.timeline()).toEqual([
    'state:connecting',
    'event:comment',
    'state:live',
    'state:reconnecting',
    'state:connecting',
    'event:comment',
    'state:live',
  ]);
  // Same msgIds both times: deduplication is the ingest layer's job.
  expect(recorder.events().map((event) => event.msgId)).toEqual([
    '7440000000000001001',
    '7440000000000001001',
  ]);
  expect(webcast.signRequests).toHaveLength(2);
  expect(webcast.signRequests[1]!.at - droppedAt).toBeGreaterThanOrEqual(quick.backoff.minMs);
});

test('consecutive drops back off further each time', async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast);
  source.start();
  await recorder.nextState('live');

  for (let drop = 1; drop <= 3; drop += 1) {
    webcast.dropConnections();
    await recorder.waitFor(`live after drop ${drop}`, () => countOf(recorder, 'live') === drop + 1);
  }

  const waits = recorder.log
    .filter((entry) => entry.type === 'state' && entry.state.type === 'reconnecting')
    .map((entry) => (entry.type === 'state' ? entry.state.failures : 0));
  expect(waits).toEqual([1, 2, 3]);
  const gaps = webcast.signRequests.slice(1).map((request, i) => request.at - webcast.signRequests[i]!.at);
  expect(gaps[0]).toBeGreaterThanOrEqual(50);
  expect(gaps[1]).toBeGreaterThanOrEqual(100);
  expect(gaps[2]).toBeGreaterThanOrEqual(200);
});

test('a connection that stayed up resets the backoff', async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast, { backoff: { ...quick.backoff, stableAfterMs: 150 } });
  source.start();
  await recorder.nextState('live');
  webcast.dropConnections();
  await recorder.waitFor('live again', () => countOf(recorder, 'live') === 2);
  webcast.dropConnections();
  await recorder.waitFor('live a third time', () => countOf(recorder, 'live') === 3);
  expect(source.state.failures).toBe(2);

  await new Promise((resolve) => setTimeout(resolve, 200));
  const reconnecting = recorder.nextState('reconnecting');
  webcast.dropConnections();

  expect(await reconnecting).toMatchObject({ failures: 1 });
});

test('a live connection that delivers nothing for the silence bound is dropped and reconnected', async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast, { silenceTimeoutMs: 150 });
  source.start();
  await recorder.nextState('live');

  // The socket stays open; the webcast simply sends nothing more.
  const reconnecting = recorder.nextState('reconnecting');
  expect(await reconnecting).toMatchObject({
    roomId: webcast.roomId,
    failures: 1,
    lastError: expect.stringContaining('no message for'),
    lastProblem: 'silent',
    lastLoss: { problem: 'silent', at: expect.any(Date) },
  });
  await recorder.waitFor('live again', () => countOf(recorder, 'live') === 2);
  // The silent connection was closed, not left open beside the new one.
  await recorder.waitFor('one client left in the room', () => webcast.openSockets === 1);
  expect(webcast.signRequests).toHaveLength(2);
  // Reconnected, the problem is over but the loss is still on record for /admin tiktok status.
  expect(source.state).toMatchObject({ lastProblem: null, lastLoss: { problem: 'silent' } });
});

test('messages of any kind, viewer counts alone included, keep a live connection open', async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast, { silenceTimeoutMs: 600 });
  source.start();
  await recorder.nextState('live');

  // Four times the bound, with a viewer-count update every sixth of it.
  for (let update = 0; update < 24; update += 1) {
    await webcast.pushAcknowledged([roomUser({ total: 40 + update })]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  expect(countOf(recorder, 'reconnecting')).toBe(0);
  expect(source.state).toMatchObject({ type: 'live', lastLoss: null });
  expect(webcast.signRequests).toHaveLength(1);
});

test('while the streamer is offline it polls slowly and connects once they go live', async () => {
  const webcast = await webcastFor({ live: false });
  const { source, recorder } = sourceFor(webcast);

  const waiting = recorder.nextState('waiting_for_live');
  source.start();
  const firstWait = await waiting;
  expect(firstWait).toMatchObject({
    roomId: null,
    failures: 0,
    lastError: expect.stringContaining('UserOfflineError'),
    lastProblem: 'offline',
  });
  expect(firstWait.nextAttemptAt!.getTime() - Date.now()).toBeLessThanOrEqual(quick.offlinePollMs);
  await recorder.waitFor('a second poll', () => countOf(recorder, 'waiting_for_live') >= 2);
  // The library's room-info check stops it before the (rate-limited) sign server.
  expect(webcast.signRequests).toHaveLength(0);

  webcast.setLive(true);
  await recorder.nextState('live');
  expect(source.state.roomId).toBe(webcast.roomId);
});

test('a sign-server rate limit is waited out for its retry-after', async () => {
  const webcast = await webcastFor();
  webcast.rateLimitNext(1);
  const { source, recorder } = sourceFor(webcast);

  const limited = recorder.nextState('rate_limited');
  source.start();
  const state = await limited;
  const refusedAt = webcast.signRequests[0]!.at;
  expect(state.lastError).toContain('SignatureRateLimitError');
  expect(state.lastProblem).toBe('rate_limited');
  expect(state.nextAttemptAt!.getTime() - refusedAt).toBeGreaterThanOrEqual(1_000);
  expect(state.nextAttemptAt!.getTime() - refusedAt).toBeLessThan(1_200);

  await recorder.nextState('live', 5_000);
  expect(webcast.signRequests).toHaveLength(2);
  expect(webcast.signRequests[1]!.at - refusedAt).toBeGreaterThanOrEqual(1_000);
});

test('a stream end is reported and the source goes back to waiting for the next live', async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast);
  source.start();
  await recorder.nextState('live');

  webcast.setLive(false);
  const waiting = recorder.nextState('waiting_for_live');
  const at = new Date('2026-11-24T23:00:00.000Z');
  await webcast.push([streamEnd({ msgId: '7440000000000009999', at })]);

  expect(await waiting).toMatchObject({ roomId: null, lastError: null, lastProblem: null, failures: 0 });
  expect(recorder.events()).toEqual([{ kind: 'streamEnd', msgId: '7440000000000009999', at, action: 3 }]);
  expect(recorder.timeline().slice(-2)).toEqual(['event:streamEnd', 'state:waiting_for_live']);

  webcast.setLive(true);
  await recorder.waitFor('the next live', () => countOf(recorder, 'live') === 2);
});

test("a stream end sent right after a large frame is reported after that frame's events", async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast);
  source.start();
  await recorder.nextState('live');

  // The library unzips frames concurrently: the tiny stream-end frame finishes first.
  const comments = Array.from({ length: 3_000 }, (_, i) =>
    chat({
      ...alice,
      text: `comment ${i} ${'la '.repeat(40)}`,
      msgId: String(7440000000000100000n + BigInt(i)),
    }),
  );
  const waiting = recorder.nextState('waiting_for_live');
  webcast.setLive(false);
  await Promise.all([webcast.push(comments), webcast.push([streamEnd({ msgId: '7440000000000009999' })])]);
  await waiting;

  const kinds = recorder.events().map((event) => event.kind);
  expect(kinds).toHaveLength(3_001);
  expect(kinds.indexOf('streamEnd')).toBe(3_000);
  expect(recorder.timeline().slice(-2)).toEqual(['event:streamEnd', 'state:waiting_for_live']);
});

test('a first batch that already holds the stream end leads to waiting, not live', async () => {
  const webcast = await webcastFor();
  webcast.setInitialBatch([streamEnd({ msgId: '7440000000000008888' })]);
  const { source, recorder } = sourceFor(webcast, { offlinePollMs: 60_000 });

  const waiting = recorder.nextState('waiting_for_live');
  source.start();

  expect(await waiting).toMatchObject({
    roomId: null,
    lastError: 'stream ended',
    lastProblem: 'stream_ended',
  });
  expect(recorder.timeline()).toEqual(['state:connecting', 'event:streamEnd', 'state:waiting_for_live']);
  await recorder.waitFor('the socket closed', () => webcast.openSockets === 0);
});

test('each source signs with its own API key and leaves the library-global SignConfig alone', async () => {
  const webcast = await webcastFor();
  const globalKey = SignConfig.apiKey;
  const first = sourceFor(webcast, { signApiKey: 'key-first' });
  const second = sourceFor(webcast, { signApiKey: 'key-second' });

  const bothLive = Promise.all([first.recorder.nextState('live'), second.recorder.nextState('live')]);
  first.source.start();
  second.source.start();
  await bothLive;

  expect(webcast.signRequests.map((request) => request.apiKey).sort()).toEqual(['key-first', 'key-second']);
  expect(SignConfig.apiKey).toBe(globalKey);
  expect(SignConfig.cachedInstance).toBeUndefined();
});

/**
 * Timer accounting uses vitest's fake timers only to COUNT the timers created by the code under test
 * (ours, tiktok-live-connector's, got's, ws'), not to move time: vitest's own timers are invisible to it.
 * I/O stays real. test/tiktok/stop-exits.test.ts checks the same thing end to end in a child process.
 */
function countTimersFromHere(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  cleanups.push(async () => {
    vi.useRealTimers();
  });
}

test('stop() closes the live connection and leaves no timer behind', async () => {
  countTimersFromHere();
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast);
  source.start();
  await recorder.nextState('live');
  await recorder.waitFor('the client in the room', () => webcast.connectedClients === 1);
  expect(vi.getTimerCount()).toBeGreaterThan(0); // at least the library's WebSocket heartbeat

  await source.stop();

  expect(source.state.type).toBe('stopped');
  expect(vi.getTimerCount()).toBe(0);
  await recorder.waitFor('the socket closed', () => webcast.openSockets === 0);
});

test('stop() while waiting for the streamer cancels the poll', async () => {
  countTimersFromHere();
  const webcast = await webcastFor({ live: false });
  const { source, recorder } = sourceFor(webcast);
  source.start();
  await recorder.nextState('waiting_for_live');
  expect(vi.getTimerCount()).toBe(1);

  await source.stop();

  expect(source.state).toMatchObject({ type: 'stopped', nextAttemptAt: null });
  expect(vi.getTimerCount()).toBe(0);
});

test('stop() right after start() makes no connection at all (the library is still loading)', async () => {
  const webcast = await webcastFor();
  const { source, recorder } = sourceFor(webcast);

  source.start();
  await source.stop();

  expect(recorder.timeline()).toEqual(['state:connecting', 'state:stopped']);
  expect(webcast.signRequests).toHaveLength(0);
  expect(webcast.openSockets).toBe(0);
});

test('stop() during a connect closes the connection being opened and reports nothing more', async () => {
  const webcast = await webcastFor();
  webcast.setInitialBatch([chat({ ...alice, text: 'too late' })]);
  const local = webcast.connectionOptions.connectOptions;
  let stopped: Promise<void> | undefined;
  // stop() once the connect is under way: at its first request to TikTok.
  const stopAtFirstRequest = () => {
    stopped ??= source.stop();
  };
  const { source, recorder } = sourceFor(webcast, {
    connectOptions: {
      ...local,
      webClientOptions: {
        ...local?.webClientOptions,
        hooks: {
          beforeRequest: [...(local?.webClientOptions?.hooks?.beforeRequest ?? []), stopAtFirstRequest],
        },
      },
    },
  });

  source.start();
  await recorder.waitFor('stop() to be called', () => stopped !== undefined);
  await stopped;

  // connect() cannot be aborted: it ran to the end (signed, opened the socket), then stop() closed it.
  expect(recorder.timeline()).toEqual(['state:connecting', 'state:stopped']);
  expect(webcast.signRequests).toHaveLength(1);
  await recorder.waitFor('the socket closed', () => webcast.openSockets === 0);
});
