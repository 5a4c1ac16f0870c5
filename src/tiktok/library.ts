import { EventEmitter } from 'node:events';
import { unzipSync } from 'node:zlib';
import EulerStreamApiClient from 'tiktok-live-api-sdk';
import {
  deserializeMessage,
  getWebSocketConfigDefaults,
  SignConfig,
  TikTokLiveConnection,
  WebcastWebSocketClient,
  type ClientEventMap,
  type TikTokLiveConstructorConnectionOptions,
} from 'tiktok-live-connector';
import { WebcastPushFrame } from 'tiktok-live-proto/v3';

/** Workarounds for tiktok-live-connector 2.5.0's typing and global state, kept in one place. */

/** The Euler SDK (axios) has no timeout of its own: a hung sign server would hang `connect()` forever. */
const SIGN_REQUEST_TIMEOUT_MS = 15_000;

export type LibraryEvents = {
  on<E extends keyof ClientEventMap>(event: E, listener: ClientEventMap[E]): unknown;
  removeAllListeners(): unknown;
};

/**
 * `TikTokLiveConnection` extends node's EventEmitter at runtime, but its
 * declared base comes from `typed-emitter`'s default export, which resolves to nothing under
 * `moduleResolution: NodeNext` — so `.on()` vanishes from the type. We restore it with the library's own
 * event map (`ClientEventMap`), after checking the runtime really is an EventEmitter. The only other
 * cast is `webClientOptions` in connection.ts (the library types its `cookieJar` as required).
 */
export function libraryEvents(connection: TikTokLiveConnection): LibraryEvents {
  if (!(connection instanceof EventEmitter))
    throw new TypeError('TikTokLiveConnection is not an EventEmitter');
  return connection as unknown as LibraryEvents;
}

/**
 * One sign-server client per source. The library's global `SignConfig` caches the first client it
 * builds, and the SDK writes the API key into the shared `baseOptions.headers`, so the first key
 * configured would stick for every connection in the process.
 */
export function createSignApiClient(options: {
  signApiUrl?: string;
  signApiKey?: string;
}): EulerStreamApiClient {
  const baseOptions = (SignConfig.baseOptions ?? {}) as { headers?: Record<string, string> };
  return new EulerStreamApiClient({
    basePath: options.signApiUrl ?? SignConfig.basePath,
    apiKey: options.signApiKey,
    baseOptions: {
      headers: { ...baseOptions.headers },
      validateStatus: () => true,
      timeout: SIGN_REQUEST_TIMEOUT_MS,
    },
  });
}

/** The most a frame may unzip to; TikTok's are a few kilobytes. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

type AckingClient = { sendAck(container: unknown): void };

/** Messages one LIVE hands on per turn of the event loop at most (whole frames; TikTok's hold a few dozen). */
const MAX_MESSAGES_PER_TURN = 1_000;

type FetchResult = { needAck?: boolean; messages?: unknown[] };

/**
 * The library's WebSocket client unzips every frame asynchronously (zlib on the thread pool) and emits
 * its messages when that finishes, so a small frame overtakes a larger one sent before it, and a stream
 * end (which makes the library close the socket and drop every listener) lost the messages of frames
 * still being unzipped. Chaining those decodes kept the order but let each LIVE advance one frame per
 * thread-pool round trip: under load a busy process's LIVEs fell seconds behind (bench/load.bench.ts,
 * push → stored p95 8–17 s at 50 servers, the backlog in that process's memory). This client decodes
 * each frame as it arrives, synchronously (unzipping a few kilobytes takes microseconds), doing what
 * the library's onMessage does (tiktok-live-connector 2.5.0, lib/ws/lib/ws-client).
 *
 * The connection hands a frame's messages on one microtask apart, so a frame emitted meanwhile would
 * interleave with them: frames that arrive while one is being handed on wait for the next turn of the
 * event loop, and then go together, in arrival order, as one result.
 */
class InOrderWebSocketClient extends WebcastWebSocketClient {
  #waiting: FetchResult[] = [];
  #handingOn = false;

  protected override onMessage(message: Buffer): Promise<void> {
    // A ws WebSocket, so an EventEmitter; its declared base loses `emit` (see libraryEvents).
    const events = this as unknown as EventEmitter;
    events.emit('webSocketData', message);
    try {
      const container = WebcastPushFrame.decode(message) as ReturnType<typeof WebcastPushFrame.decode> & {
        protoMessageFetchResult?: FetchResult;
      };
      if (container.payloadEncoding === 'pb' && container.payload) {
        const binary = container.payload;
        // The gzip magic bytes, as the library checks them.
        if (binary.length > 2 && binary[0] === 31 && binary[1] === 139 && binary[2] === 8)
          container.payload = unzipSync(binary, { maxOutputLength: MAX_FRAME_BYTES });
        const result = deserializeMessage(
          'ProtoMessageFetchResult',
          Buffer.from(container.payload),
        ) as FetchResult;
        container.protoMessageFetchResult = result;
        if (result.needAck) (this as unknown as AckingClient).sendAck(container);
        this.#waiting.push(result);
        if (!this.#handingOn) this.#handOn(events);
      }
      if (container.payloadType === 'im_enter_room_resp') events.emit('imEnteredRoom', container);
    } catch (error) {
      events.emit('messageDecodingFailed', error);
    }
    return Promise.resolve();
  }

  #handOn(events: EventEmitter): void {
    // After a stall (a long collection, a starved CPU) frames pile up: a turn hands on about
    // MAX_MESSAGES_PER_TURN of them, so the process still answers commands in between.
    let count = 0;
    let take = 0;
    while (take < this.#waiting.length && (take === 0 || count < MAX_MESSAGES_PER_TURN))
      count += this.#waiting[take++]!.messages?.length ?? 0;
    const results = this.#waiting.splice(0, take);
    if (results.length === 0) {
      this.#handingOn = false;
      return;
    }
    this.#handingOn = true;
    events.emit(
      'protoMessageFetchResult',
      results.length === 1
        ? results[0]
        : { ...results.at(-1), messages: results.flatMap((r) => r.messages ?? []) },
    );
    setImmediate(() => this.#handOn(events));
  }
}

/** `TikTokLiveConnection` whose WebSocket delivers messages in the order TikTok sent them. */
export class InOrderTikTokLiveConnection extends TikTokLiveConnection {
  constructor(uniqueId: string, options: TikTokLiveConstructorConnectionOptions = {}) {
    super(uniqueId, options);
    // As the library's createWebSocketProvider, with our client class.
    const config = { ...getWebSocketConfigDefaults(this._devicePresets), ...options.wsConfigOverrides };
    this._wsClientProvider = (params) =>
      new InOrderWebSocketClient({ ...config, ...params }, options.wsClientOptions);
  }
}

// What TikTokLiveSource takes from the library, loaded together on its first connect.
export { ControlEvent, SignatureRateLimitError, UserOfflineError, WebcastEvent } from 'tiktok-live-connector';
export {
  normalizeChat,
  normalizeControl,
  normalizeFollow,
  normalizeGift,
  normalizeLike,
  normalizeMember,
  normalizeRoomUser,
  normalizeShare,
} from './normalize.js';
