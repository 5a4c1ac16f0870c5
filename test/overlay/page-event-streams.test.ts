import type { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PageEventStreams } from '../../src/overlay/page-event-streams.js';

const subscription = { guildId: 'g1', slotKey: 'g1:overlay:-', view: { page: 'overlay', upNext: 3 } } as const;

function received(out: PassThrough): string {
  let text = '';
  for (let chunk = out.read() as Buffer | null; chunk; chunk = out.read() as Buffer | null) text += String(chunk);
  return text;
}

describe('PageEventStreams', () => {
  it('holds heartbeats back until the first view is sent, so the view always comes first', async () => {
    let finishRender: (view: unknown) => void = () => {};
    const streams = new PageEventStreams({
      maxPerGuild: 2,
      render: () => new Promise((resolve) => (finishRender = resolve)),
      onRenderError: (error) => {
        throw error;
      },
    });
    const response = streams.open(subscription);
    const out = response.body as PassThrough;

    streams.heartbeat();
    expect(received(out)).toBe('retry: 3000\n\n');

    finishRender({ upNext: [] });
    await new Promise((resolve) => setImmediate(resolve));
    streams.heartbeat();
    expect(received(out)).toBe('event: queue\ndata: {"upNext":[]}\n\n: heartbeat\n\n');
    await streams.close();
  });
});
