import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalWebcast } from './local-webcast.js';

/**
 * One address in front of several local webcasts, for a bot in another process: the bot has one
 * TikTok host and one sign server (TIKTOK_SIGN_API_URL), so each LIVE's requests are routed to its
 * webcast by the handle (`/@{handle}/live`) or the room id (room info, sign). The sign answer names
 * that webcast's own push server, so the WebSocket goes straight to it.
 */
export class WebcastFront {
  readonly #server: http.Server;

  constructor(server: http.Server, webcasts: readonly LocalWebcast[]) {
    this.#server = server;
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://front');
      const handle = /^\/@([^/]+)\/live$/.exec(url.pathname)?.[1];
      const roomId =
        /^\/webcast\/rooms\/([0-9]+)\/connect$/.exec(url.pathname)?.[1] ?? url.searchParams.get('room_id');
      const webcast = webcasts.find((w) =>
        handle !== undefined ? w.handle === handle : roomId !== null && w.roomId === roomId,
      );
      if (webcast) return webcast.handleHttp(req, res);
      res.statusCode = 404;
      res.end();
    });
  }

  /** Where it listens, `127.0.0.1:port`: the TikTok host and (over http) the sign server. */
  get host(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((e) => (e ? reject(e) : resolve())));
  }
}

export async function startWebcastFront(webcasts: readonly LocalWebcast[]): Promise<WebcastFront> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new WebcastFront(server, webcasts);
}
