import { createBaseWebcastPushFrame } from 'tiktok-live-connector';
import { expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { chat, startLocalWebcast } from '../support/tiktok/local-webcast.js';
import { until } from '../support/until.js';

/**
 * The local webcast stands in for TikTok in the failover test, where a process is killed while
 * batches go out. A socket whose peer is gone stays CLOSING until ws sees it close; counting it as
 * in the room once let a push retried at once fail on the next tick, forever, without the I/O that
 * would close it ever running (CI: a worker spun for an hour and ran out of memory).
 */
test('a client that closed its socket is out of the room at once, before the socket has fully closed', async () => {
  const webcast = await startLocalWebcast();
  const client = new WebSocket(`ws://${webcast.host}/webcast/im/push/v2/`);
  try {
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send(Buffer.from(createBaseWebcastPushFrame({ payloadType: 'im_enter_room' }).finish()));
    await until('the client to enter the room', () => webcast.connectedClients === 1);

    // Sends its close frame, then stops reading: the server's side stays CLOSING (ws waits up to
    // 30 s for the TCP close that this client does not send).
    client.close();
    (client as unknown as { _socket: { pause(): void } })._socket.pause();

    await until('the closing client to leave the room', () => webcast.connectedClients === 0, 5_000);
    await expect(
      webcast.push([chat({ userId: '6812345678901234567', handle: 'alice.sings', text: 'hello' })]),
    ).rejects.toThrow('no client entered the room');
    expect(webcast.openSockets).toBe(1);
  } finally {
    client.terminate();
    await webcast.close();
  }
});
