import type { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PageEventStreams, type StreamSubscription } from '../../src/overlay/page-event-streams.js';

const subscription = (stillAllowed: StreamSubscription['stillAllowed']): StreamSubscription => ({
  guildId: 'g1',
  slotKey: 'g1:overlay:',
  view: { page: 'overlay', upNext: 3 },
  stillAllowed,
});

function received(out: PassThrough): string {
  let text = '';
  for (let chunk = out.read() as Buffer | null; chunk; chunk = out.read() as Buffer | null)
    text += String(chunk);
  return text;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function streamsRendering(render: () => Promise<unknown>, recheckErrors: unknown[] = []) {
  return new PageEventStreams({
    maxPerGuild: 2,
    render,
    onRenderError: (error) => {
      throw error;
    },
    onRecheckError: (error) => recheckErrors.push(error),
  });
}

describe('PageEventStreams', () => {
  it('holds heartbeats back until the first view is sent, so the view always comes first', async () => {
    let finishRender: (view: unknown) => void = () => {};
    const streams = streamsRendering(() => new Promise((resolve) => (finishRender = resolve)));
    const out = streams.open(subscription(async () => true)).body as PassThrough;

    streams.heartbeat();
    expect(received(out)).toBe('retry: 3000\n\n');

    finishRender({ upNext: [] });
    await settle();
    streams.heartbeat();
    expect(received(out)).toBe('event: queue\ndata: {"upNext":[]}\n\n: heartbeat\n\n');
    await streams.close();
  });

  it('a recheck ends, as revoked, the streams whose URL no longer opens the page, and only those', async () => {
    const streams = streamsRendering(async () => ({ upNext: [] }));
    let allowed = true;
    const kept = streams.open(subscription(async () => true)).body as PassThrough;
    const ending = streams.open(subscription(async () => allowed)).body as PassThrough;
    await settle();
    received(kept);
    received(ending);

    await streams.recheck();
    expect(ending.writable).toBe(true);
    allowed = false;
    await streams.recheck();
    expect(received(ending)).toBe('event: revoked\ndata: {}\n\n');
    expect(ending.writable).toBe(false);
    expect(kept.writable).toBe(true);
    await streams.close();
  });

  it('a recheck that fails keeps the stream and reports the error', async () => {
    const errors: unknown[] = [];
    const streams = streamsRendering(async () => ({ upNext: [] }), errors);
    const out = streams.open(
      subscription(async () => {
        throw new Error('database away');
      }),
    ).body as PassThrough;
    await settle();

    await streams.recheck();
    expect(out.writable).toBe(true);
    expect(errors).toEqual([new Error('database away')]);
    await streams.close();
  });
});
