import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { createBaseWebcastPushFrame, WebcastPushFrame } from 'tiktok-live-connector';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TikTokLiveSourceOptions } from '../../../src/tiktok/connection.js';
import { fetchResult, type WebcastTestMessage } from './webcast-messages.js';

export * from './webcast-messages.js';

/**
 * A TikTok LIVE on 127.0.0.1, driven through the real tiktok-live-connector. One HTTP server plays the
 * three remote parties the library talks to on `connect()`, and a WebSocket server on the same port
 * plays TikTok's push server:
 *
 * - www.tiktok.com — `GET /@{handle}/live`: the page whose SIGI_STATE gives the room id and status
 *   (the library's first room-id source);
 * - webcast.tiktok.com — `GET /webcast/room/info/`: room status, 4 = offline (→ `UserOfflineError`);
 * - the sign server (Euler Stream) — `GET /webcast/rooms/{roomId}/connect`: a `ProtoMessageFetchResult`
 *   (the first batch, replayed on every connect, and `pushServer` = our WebSocket), with the
 *   `x-set-tt-cookie` and `x-room-id` headers the library requires, or a 429 with `retry-after`;
 * - the push server: waits for the client's `im_enter_room` frame, then `push()` sends gzipped
 *   `WebcastPushFrame`s of type `msg`.
 *
 * The TikTok hosts are redirected with the library's `webConfigOverrides`. Its HTTP client picks https
 * for loopback hosts and http for all others (`WebcastHttpClient.isSecure` is inverted in 2.5.0), so a
 * got `beforeRequest` hook puts our requests back on http.
 */

export type LocalWebcastOptions = {
  roomId?: string;
  handle?: string;
  /** Whether the streamer is live at start (default true). */
  live?: boolean;
};

export type LocalWebcastConnectionOptions = Pick<TikTokLiveSourceOptions, 'signApiUrl' | 'connectOptions'>;

/** Source options for a local webcast at `host` (also usable from another process). */
export function localWebcastConnectionOptions(host: string): LocalWebcastConnectionOptions {
  return {
    signApiUrl: `http://${host}`,
    connectOptions: {
      webConfigOverrides: { TIKTOK_HOST_WEB: host, TIKTOK_HOST_WEBCAST: host },
      webClientOptions: {
        hooks: {
          beforeRequest: [
            (options) => {
              if (options.url instanceof URL) options.url.protocol = 'http:';
            },
          ],
        },
      },
    },
  };
}

export type SignRequest = { roomId: string; apiKey: string | undefined; at: number };

/** A request as the webcast saw it: HTTP (TikTok or the sign server) or the push WebSocket's upgrade. */
export type ReceivedRequest = { kind: 'http' | 'websocket'; url: string; headers: http.IncomingHttpHeaders };

export class LocalWebcast {
  readonly roomId: string;
  readonly handle: string;
  /** Every sign request received (the library makes one per connect attempt past the offline check). */
  readonly signRequests: SignRequest[] = [];
  /** Every request received, in order, with its headers (cookies included). */
  readonly requests: ReceivedRequest[] = [];
  #live: boolean;
  #initialBatch: WebcastTestMessage[] = [];
  #rateLimitSeconds: number | null = null;
  #signDelayMs = 0;
  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  /** Sockets that sent `im_enter_room`: TikTok pushes only to clients that entered the room. */
  readonly #entered = new Set<WebSocket>();
  /** Pushes waiting for their ack, by the frame's log id. */
  readonly #awaitingAck = new Map<string, () => void>();
  #lastLogId = 1000n;

  constructor(server: http.Server, options: Required<LocalWebcastOptions>) {
    this.roomId = options.roomId;
    this.handle = options.handle;
    this.#live = options.live;
    this.#server = server;
    this.#wss = new WebSocketServer({ server });
    this.#wss.on('connection', (socket, req) => {
      this.requests.push({ kind: 'websocket', url: req.url ?? '/', headers: req.headers });
      this.#acceptSocket(socket);
    });
    server.on('request', (req, res) => this.handleHttp(req, res));
  }

  get #host(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Where it listens, `127.0.0.1:port`. */
  get host(): string {
    return this.#host;
  }

  /** What `TikTokLiveSource` needs to talk to this webcast instead of TikTok and Euler Stream. */
  get connectionOptions(): LocalWebcastConnectionOptions {
    return localWebcastConnectionOptions(this.#host);
  }

  /** Clients currently in the room (they sent `im_enter_room`, and their socket is still open). */
  get connectedClients(): number {
    return this.#inRoom().length;
  }

  /** Open WebSockets, whether or not they entered the room yet. */
  get openSockets(): number {
    return this.#wss.clients.size;
  }

  /** The batch returned with every sign response, as TikTok replays its latest messages on each connect. */
  setInitialBatch(messages: WebcastTestMessage[]): void {
    this.#initialBatch = [...messages];
  }

  /** Sends one batch to every client in the room; waits (up to 5 s) for a client to enter first. */
  async push(messages: WebcastTestMessage[]): Promise<void> {
    await this.#send(messages, null);
  }

  /**
   * A batch as the frame `push` sends, encoded and gzipped once: a load generator encodes its batches
   * before its clock starts and sends them with `pushFrame`, so that its own CPU use stays small.
   */
  static frameOf(messages: WebcastTestMessage[]): Buffer {
    return pushFrameOf(messages, null);
  }

  /** Sends a batch encoded by `frameOf`, as `push` does. */
  async pushFrame(frame: Buffer): Promise<void> {
    await this.#sendFrame(frame);
  }

  /**
   * Sends one batch to the one client in the room with `needAck` set, as TikTok does, and resolves
   * when the client acknowledged it. The library acks a batch once decoded, right before it emits the
   * batch's events, so in this process every event has reached its listeners by then.
   */
  async pushAcknowledged(messages: WebcastTestMessage[], timeoutMs = 5_000): Promise<void> {
    const logId = String(++this.#lastLogId);
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#awaitingAck.delete(logId);
        reject(new Error(`LocalWebcast.pushAcknowledged: no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#awaitingAck.set(logId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.#send(messages, logId);
    if (this.#inRoom().length !== 1)
      throw new Error('LocalWebcast.pushAcknowledged: expects one client in the room');
    await acked;
  }

  async #send(messages: WebcastTestMessage[], ackLogId: string | null): Promise<void> {
    await this.#sendFrame(pushFrameOf(messages, ackLogId));
  }

  async #sendFrame(frame: Buffer): Promise<void> {
    for (let waited = 0; this.#inRoom().length === 0; waited += 10) {
      if (waited >= 5_000) throw new Error('LocalWebcast.push: no client entered the room');
      await sleep(10);
    }
    await Promise.all(
      this.#inRoom().map(
        (socket) =>
          new Promise<void>((resolve, reject) => socket.send(frame, (e) => (e ? reject(e) : resolve()))),
      ),
    );
  }

  /** A network drop: sockets die without a close frame (the client sees code 1006). */
  dropConnections(): void {
    for (const socket of this.#wss.clients) socket.terminate();
    this.#entered.clear();
  }

  /** Offline: the live page and room info report status 4, so `connect()` fails with UserOfflineError. */
  setLive(live: boolean): void {
    this.#live = live;
  }

  /** Every sign request is answered this much later: a slow sign server, so connecting takes a while. */
  delaySigning(ms: number): void {
    this.#signDelayMs = ms;
  }

  /** The next sign request gets a 429 with `retry-after: seconds`. */
  rateLimitNext(retryAfterSeconds: number): void {
    this.#rateLimitSeconds = retryAfterSeconds;
  }

  async close(): Promise<void> {
    for (const socket of this.#wss.clients) socket.terminate();
    this.#entered.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((e) => (e ? reject(e) : resolve())));
  }

  /** Answers one HTTP request of the library; also called by a WebcastFront that routes to this webcast. */
  handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({ kind: 'http', url: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', `http://${this.#host}`);
    const status = this.#live ? 2 : 4;
    if (url.pathname === `/@${this.handle}/live`) {
      const sigiState = {
        LiveRoom: { liveRoomUserInfo: { user: { roomId: this.roomId }, liveRoom: { status } } },
      };
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<html><body><script id="SIGI_STATE" type="application/json">${JSON.stringify(sigiState)}</script></body></html>`,
      );
      return;
    }
    if (url.pathname === '/webcast/room/info/') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status_code: 0, data: { id_str: url.searchParams.get('room_id'), status } }));
      return;
    }
    const sign = /^\/webcast\/rooms\/([0-9]+)\/connect$/.exec(url.pathname);
    if (sign?.[1] === this.roomId) {
      this.#sign(req, res);
      return;
    }
    res.statusCode = 404;
    res.end();
  }

  #sign(req: http.IncomingMessage, res: http.ServerResponse): void {
    const apiKey = req.headers['x-api-key'];
    this.signRequests.push({
      roomId: this.roomId,
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      at: Date.now(),
    });
    if (this.#signDelayMs > 0) setTimeout(() => this.#answerSign(res), this.#signDelayMs);
    else this.#answerSign(res);
  }

  #answerSign(res: http.ServerResponse): void {
    if (this.#rateLimitSeconds !== null) {
      res.statusCode = 429;
      res.setHeader('retry-after', String(this.#rateLimitSeconds));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ message: 'Too many connections started, try again later.', limit_label: 'local' }),
      );
      this.#rateLimitSeconds = null;
      return;
    }
    res.setHeader('content-type', 'application/x-protobuf');
    res.setHeader('x-set-tt-cookie', 'ttwid=local-webcast');
    res.setHeader('x-room-id', this.roomId);
    res.end(
      Buffer.from(fetchResult(this.#initialBatch, { pushServer: `ws://${this.#host}/webcast/im/push/v2/` })),
    );
  }

  /**
   * Entered sockets that are still open. A peer that died (SIGKILL) leaves its socket CLOSING until
   * ws emits 'close' from the I/O phase; a send to it fails on the next tick, so a caller retrying a
   * push at once would spin on microtasks and never let that 'close' run.
   */
  #inRoom(): WebSocket[] {
    return [...this.#entered].filter((socket) => socket.readyState === socket.OPEN);
  }

  #acceptSocket(socket: WebSocket): void {
    socket.on('message', (data: Buffer) => {
      const frame = WebcastPushFrame.decode(data);
      if (frame.payloadType === 'im_enter_room') this.#entered.add(socket);
      if (frame.payloadType === 'ack') this.#awaitingAck.get(String(frame.logId))?.();
    });
    socket.on('close', () => this.#entered.delete(socket));
  }
}

export async function startLocalWebcast(options: LocalWebcastOptions = {}): Promise<LocalWebcast> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new LocalWebcast(server, {
    roomId: options.roomId ?? '7450000000000000001',
    handle: options.handle ?? 'local.streamer',
    live: options.live ?? true,
  });
}

/** A batch as a `WebcastPushFrame` of type `msg`, gzipped as TikTok sends it (the library unzips it). */
function pushFrameOf(messages: WebcastTestMessage[], ackLogId: string | null): Buffer {
  const payload = gzipSync(fetchResult(messages, ackLogId === null ? {} : { needAck: true }));
  return Buffer.from(
    createBaseWebcastPushFrame({
      payloadType: 'msg',
      payload,
      ...(ackLogId === null ? {} : { logId: ackLogId }),
    }).finish(),
  );
}
