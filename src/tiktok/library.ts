import { EventEmitter } from 'node:events';
import EulerStreamApiClient from 'tiktok-live-api-sdk';
import {
  getWebSocketConfigDefaults,
  SignConfig,
  TikTokLiveConnection,
  WebcastWebSocketClient,
  type ClientEventMap,
  type TikTokLiveConstructorConnectionOptions,
} from 'tiktok-live-connector';

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

/**
 * The library's WebSocket client unzips every frame asynchronously (zlib on the thread pool) and emits
 * its messages when that finishes, so a small frame overtakes a larger one sent before it. Worse, a
 * stream end makes the library close the socket and drop every listener, so the messages of an earlier
 * frame still being unzipped were lost. This client decodes frames one at a time, in arrival order.
 */
class InOrderWebSocketClient extends WebcastWebSocketClient {
  #decoding: Promise<void> = Promise.resolve();

  protected override onMessage(message: Buffer): Promise<void> {
    const decoded = this.#decoding.then(() => super.onMessage(message));
    this.#decoding = decoded.catch(() => undefined);
    return decoded;
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
