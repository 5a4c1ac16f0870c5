import type EulerStreamApiClient from 'tiktok-live-api-sdk';
import type {
  TikTokLiveConnection,
  WebcastGotHttpConfig,
  WebcastWebConfigDefaults,
  WebcastWebSocketConfigDefaults,
} from 'tiktok-live-connector';
import type { Agent } from 'node:http';
import type { ClientOptions } from 'ws';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { TikTokEvent } from './events.js';
import { proxyAgent } from './proxy.js';

/**
 * tiktok-live-connector and the sign server's SDK (got, axios, protobuf: ~200 files) load on the first
 * connect, not with the bot: most of the time no LIVE is connected, and loading them cost start-up
 * ~0.2–0.3 s and ~15–20 MB (measured, bench/footprint.bench.ts).
 */
type TikTokLibrary = typeof import('./library.js');
const loadLibrary = (): Promise<TikTokLibrary> => import('./library.js');

/**
 * Keeps one TikTok LIVE connection open for a handle, for as long as the bot runs, and hands the app
 * plain `TikTokEvent`s and state changes. tiktok-live-connector never reconnects by itself: this class
 * waits for the streamer to go live, reconnects after drops, and honours the sign server's rate limit.
 *
 *   idle ─start→ connecting ─→ live ─drop→ reconnecting ─→ connecting …
 *                     │          └─streamEnd→ waiting_for_live ─poll→ connecting …
 *                     ├─offline→ waiting_for_live
 *                     ├─429→ rate_limited ─retryAfter→ connecting …
 *                     └─error→ reconnecting (backoff)          stop() from anywhere → stopped
 *
 * A live connection can stay open yet deliver nothing (the socket is up, TikTok stopped pushing to it).
 * TikTok keeps pushing to a LIVE's viewers even when nobody chats (viewer-count room-user updates,
 * among others), so no message at all for `silenceTimeoutMs` is taken as a dead connection: it is
 * dropped and reconnected (problem `silent`). Should a LIVE really fall that quiet, the cost is one
 * needless reconnect, and its replayed first batch is deduplicated by msgId.
 *
 * Event order on every connect (measured, see test/tiktok/live-source-lifecycle.test.ts): the state
 * `connecting`, then the events of the first batch (TikTok replays it on every connect, so msgIds
 * repeat), then the state `live`, then pushed events.
 */

export type TikTokSourceStatus =
  'idle' | 'waiting_for_live' | 'connecting' | 'live' | 'reconnecting' | 'rate_limited' | 'stopped';

/**
 * What went wrong last: the streamer was not live, the LIVE ended, the sign server asked us to wait,
 * an open connection dropped, or a connection attempt failed for another reason.
 */
export type TikTokProblem = 'offline' | 'stream_ended' | 'rate_limited' | 'dropped' | 'silent' | 'failed';

/** How a live connection was lost: it dropped, or it stayed open but went silent. */
export type TikTokConnectionLoss = { readonly problem: 'dropped' | 'silent'; readonly at: Date };

export type TikTokSourceState = {
  readonly type: TikTokSourceStatus;
  /** The LIVE room: set on `live`, kept while reconnecting to it, cleared once the stream is over. */
  readonly roomId: string | null;
  /** Why the last connection attempt failed or the last connection dropped, for the logs. */
  readonly lastError: string | null;
  /** The same reason as a kind, for words a streamer understands; null when nothing went wrong. */
  readonly lastProblem: TikTokProblem | null;
  /** When the next connection attempt is due (waiting_for_live, reconnecting, rate_limited). */
  readonly nextAttemptAt: Date | null;
  /** Failed attempts since the last connection that stayed up; drives the backoff. */
  readonly failures: number;
  /** The last time a live connection was lost; kept after reconnecting, so an admin can still see it. */
  readonly lastLoss: TikTokConnectionLoss | null;
};

/** A subset of pino's Logger, so the app passes its own. */
export type TikTokSourceLogger = {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
};

/** Pass-through options of `TikTokLiveConnection` (proxies, client presets, hosts). */
export type TikTokConnectOptions = {
  /** `got` options for HTTP to TikTok. The library replaces `cookieJar` and drops `timeout`. */
  webClientOptions?: Omit<WebcastGotHttpConfig, 'cookieJar'>;
  wsClientOptions?: ClientOptions;
  webConfigOverrides?: Partial<WebcastWebConfigDefaults>;
  wsConfigOverrides?: Partial<WebcastWebSocketConfigDefaults>;
};

export type TikTokLiveSourceOptions = {
  /** Euler Stream API key; without one the free (heavily rate-limited) tier is used. */
  signApiKey?: string;
  /** Sign server base URL; defaults to the library's `SignConfig.basePath` (Euler Stream, or env SIGN_API_URL). */
  signApiUrl?: string;
  connectOptions?: TikTokConnectOptions;
  /**
   * Send TikTok's pages, API requests and push WebSocket through this proxy (http://, https:// or
   * socks5://). The sign server is reached directly.
   */
  proxyUrl?: string;
  /**
   * A logged-in TikTok account's cookies, which age-restricted LIVEs require. They go to TikTok only:
   * the library's `authenticateWs` (which would also hand them to the sign server) stays off.
   */
  session?: TikTokSession;
  backoff?: Partial<BackoffOptions> & {
    /** A connection that stayed up this long resets the backoff. Default 60 s. */
    stableAfterMs?: number;
  };
  /** How often to check whether an offline streamer went live. Default 60 s. */
  offlinePollMs?: number;
  /** A live connection that delivers no message at all for this long is reconnected. Default 60 s. */
  silenceTimeoutMs?: number;
  logger?: TikTokSourceLogger;
  /** For tests: jitter source. */
  random?: () => number;
};

/** `sessionid` and `tt-target-idc` cookies of a logged-in tiktok.com; the session id is a secret. */
export type TikTokSession = { readonly sessionId: string; readonly targetIdc: string };

export type TikTokEventListener = (event: TikTokEvent) => void;
export type TikTokStateListener = (state: TikTokSourceState) => void;

const DEFAULT_OFFLINE_POLL_MS = 60_000;
const DEFAULT_STABLE_AFTER_MS = 60_000;
/** A minute: long past the gaps between room-user updates, short enough to lose little engagement. */
const DEFAULT_SILENCE_TIMEOUT_MS = 60_000;
const silentLogger: TikTokSourceLogger = { debug() {}, info() {}, warn() {} };

/** The class name: several library errors (UserOfflineError, …) keep `name` = "Error". */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

export class TikTokLiveSource {
  readonly handle: string;
  readonly #options: TikTokLiveSourceOptions;
  /** Created with the first connection, once the library is loaded. */
  #signApi: EulerStreamApiClient | null = null;
  #library: TikTokLibrary | null = null;
  /** Built with the first connection and shared by all of them. */
  #proxyAgent: Agent | null = null;
  readonly #backoff: BackoffOptions;
  readonly #stableAfterMs: number;
  readonly #offlinePollMs: number;
  readonly #silenceTimeoutMs: number;
  readonly #log: TikTokSourceLogger;
  readonly #random: () => number;
  readonly #eventListeners = new Set<TikTokEventListener>();
  readonly #stateListeners = new Set<TikTokStateListener>();

  #state: TikTokSourceState = {
    type: 'idle',
    roomId: null,
    lastError: null,
    lastProblem: null,
    nextAttemptAt: null,
    failures: 0,
    lastLoss: null,
  };
  /** The connection whose events count; events of any other (stale) connection are ignored. */
  #connection: TikTokLiveConnection | null = null;
  /** The pending `connect()`, so `stop()` can wait for it to settle. */
  #connecting: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  /** While live: fires when the connection may have been silent for `silenceTimeoutMs`. */
  #silenceTimer: NodeJS.Timeout | null = null;
  /** When the live connection last delivered a message (any type). */
  #lastMessageAt = 0;
  /** Connections being closed in the background; `stop()` waits for them. */
  readonly #closing = new Set<Promise<void>>();
  #liveSince = 0;
  #stopping = false;

  constructor(handle: string, options: TikTokLiveSourceOptions = {}) {
    this.handle = handle;
    this.#options = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#stableAfterMs = options.backoff?.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS;
    this.#offlinePollMs = options.offlinePollMs ?? DEFAULT_OFFLINE_POLL_MS;
    this.#silenceTimeoutMs = options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS;
    this.#log = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
  }

  get state(): TikTokSourceState {
    return this.#state;
  }

  /** Returns an unsubscribe function. A throwing listener is logged and does not affect the others. */
  onEvent(listener: TikTokEventListener): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  onState(listener: TikTokStateListener): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Starts connecting; never throws for TikTok trouble (that is what the state is for). Single use. */
  start(): void {
    if (this.#state.type !== 'idle')
      throw new Error(`TikTokLiveSource can only start once (it is ${this.#state.type})`);
    this.#connect();
  }

  /** Closes the connection and cancels every timer; resolves once nothing is left running. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopSilenceWatch();
    const connection = this.#connection;
    this.#connection = null;
    // connect() cannot be aborted; it is bounded by the library's HTTP/WebSocket timeouts and ours.
    await this.#connecting;
    if (connection) this.#retire(connection);
    await Promise.all(this.#closing);
    this.#proxyAgent?.destroy();
    this.#setState({ type: 'stopped', nextAttemptAt: null });
  }

  #connect(): void {
    if (this.#stopping) return;
    this.#setState({ type: 'connecting', nextAttemptAt: null });
    this.#connecting = this.#loadOnce().then(
      (library) => {
        // stop() during the load: it waited for this promise, and no connection is made.
        if (this.#stopping) return;
        this.#library = library;
        const connection = this.#createConnection(library);
        this.#connection = connection;
        return connection.connect().then(
          () => undefined, // the `connected` listener does the bookkeeping, in order with the events
          (error: unknown) => this.#onConnectFailed(library, connection, error),
        );
      },
      (error: unknown) => {
        if (!this.#stopping) this.#retryWithBackoff(describeError(error), 'failed', this.#state.failures + 1);
      },
    );
  }

  /** The library, and the proxy agent when a proxy is set; both loaded by the first connect. */
  async #loadOnce(): Promise<TikTokLibrary> {
    const library = await loadLibrary();
    const { proxyUrl } = this.#options;
    if (proxyUrl && !this.#proxyAgent) this.#proxyAgent = await proxyAgent(proxyUrl);
    return library;
  }

  #createConnection(library: TikTokLibrary): TikTokLiveConnection {
    const { connectOptions = {}, session } = this.#options;
    this.#signApi ??= library.createSignApiClient(this.#options);
    const agent = this.#proxyAgent;
    const connection = new library.InOrderTikTokLiveConnection(this.handle, {
      ...connectOptions,
      // The library types cookieJar as required, but always replaces it with its own.
      webClientOptions: {
        ...connectOptions.webClientOptions,
        ...(agent && { agent: { http: agent, https: agent } }),
      } as WebcastGotHttpConfig,
      wsClientOptions: { ...connectOptions.wsClientOptions, ...(agent && { agent }) },
      ...(session && {
        session: {
          cookie: { type: 'cookie', value: { sessionId: session.sessionId, ttTargetIdc: session.targetIdc } },
        },
      }),
      eulerApiInstance: this.#signApi,
      processInitialData: true,
      // Room info is where the library learns the streamer is offline (UserOfflineError).
      fetchRoomInfoOnConnect: true,
    });
    this.#listen(library, connection);
    return connection;
  }

  /**
   * Listeners go on before `connect()`: the first batch is emitted while `connect()` is still running,
   * before `connected`.
   */
  #listen(library: TikTokLibrary, connection: TikTokLiveConnection): void {
    const { ControlEvent, WebcastEvent } = library;
    const events = library.libraryEvents(connection);
    // Every decoded message, of any type (room-user updates included), shows the connection is alive.
    events.on(ControlEvent.DECODED_DATA, () => {
      if (connection === this.#connection) this.#lastMessageAt = Date.now();
    });
    const deliver = (event: TikTokEvent | null, libraryEvent: string): void => {
      if (connection !== this.#connection) return;
      if (event) this.#emitEvent(event);
      else
        this.#log.debug(
          { handle: this.handle, libraryEvent },
          'tiktok message without msgId or user id ignored',
        );
    };
    events.on(WebcastEvent.GIFT, (m) => deliver(library.normalizeGift(m, new Date()), 'gift'));
    events.on(WebcastEvent.LIKE, (m) => deliver(library.normalizeLike(m, new Date()), 'like'));
    events.on(WebcastEvent.CHAT, (m) => deliver(library.normalizeChat(m, new Date()), 'chat'));
    events.on(WebcastEvent.FOLLOW, (m) => deliver(library.normalizeFollow(m, new Date()), 'follow'));
    events.on(WebcastEvent.SHARE, (m) => deliver(library.normalizeShare(m, new Date()), 'share'));
    events.on(WebcastEvent.ROOM_USER, (m) => deliver(library.normalizeRoomUser(m, new Date()), 'roomUser'));
    events.on(WebcastEvent.MEMBER, (m) => {
      const join = library.normalizeMember(m, new Date());
      if (join) deliver(join, 'member'); // other member actions are not joins, nothing to report
    });
    events.on(WebcastEvent.CONTROL_MESSAGE, (m) => {
      const streamEnd = library.normalizeControl(m, new Date());
      if (streamEnd) deliver(streamEnd, 'controlMessage');
    });

    // After a stream-end control message the library disconnects by itself; that drop is not a failure.
    let streamEnded = false;
    events.on(WebcastEvent.STREAM_END, () => {
      streamEnded = true;
    });
    events.on(ControlEvent.CONNECTED, (state) => {
      if (connection !== this.#connection) return;
      if (streamEnded) {
        // The replayed first batch said the stream is over: the library "disconnected" mid-connect
        // (clearing the room id) but opened the socket anyway.
        this.#retire(connection);
        this.#waitForLive('stream ended', 'stream_ended');
        return;
      }
      this.#liveSince = Date.now();
      this.#log.info({ handle: this.handle, roomId: state.roomId }, 'tiktok live connected');
      this.#setState({
        type: 'live',
        roomId: state.roomId,
        lastError: null,
        lastProblem: null,
        nextAttemptAt: null,
      });
      this.#watchSilence(connection);
    });
    events.on(ControlEvent.DISCONNECTED, ({ code, reason }) => {
      if (connection !== this.#connection) return;
      this.#connection = null;
      this.#stopSilenceWatch();
      events.removeAllListeners();
      if (streamEnded) {
        this.#log.info({ handle: this.handle }, 'tiktok live ended');
        this.#waitForLive(null, null);
        return;
      }
      this.#reconnectAfterLoss(`disconnected (code ${code}${reason ? `, ${reason}` : ''})`, 'dropped');
    });
    events.on(ControlEvent.ERROR, ({ info, exception }: { info: string; exception: unknown }) => {
      this.#log.debug({ handle: this.handle, info, error: describeError(exception) }, 'tiktok library error');
    });
  }

  /** A lost live connection: one that had stayed up long enough starts the backoff afresh. */
  #reconnectAfterLoss(reason: string, problem: TikTokConnectionLoss['problem']): void {
    const stable = Date.now() - this.#liveSince >= this.#stableAfterMs;
    const failures = stable ? 1 : this.#state.failures + 1;
    this.#retryWithBackoff(reason, problem, failures, { lastLoss: { problem, at: new Date() } });
  }

  /**
   * One timer per live connection, re-armed for the time left rather than reset on every message
   * (a busy LIVE delivers hundreds of messages a second).
   */
  #watchSilence(connection: TikTokLiveConnection): void {
    this.#stopSilenceWatch();
    this.#lastMessageAt = Date.now();
    const check = (): void => {
      this.#silenceTimer = null;
      if (connection !== this.#connection) return;
      const silentFor = Date.now() - this.#lastMessageAt;
      if (silentFor < this.#silenceTimeoutMs) {
        this.#silenceTimer = setTimeout(check, this.#silenceTimeoutMs - silentFor);
        return;
      }
      this.#retire(connection);
      this.#reconnectAfterLoss(`no message for ${silentFor} ms`, 'silent');
    };
    this.#silenceTimer = setTimeout(check, this.#silenceTimeoutMs);
  }

  #stopSilenceWatch(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = null;
  }

  #onConnectFailed(library: TikTokLibrary, connection: TikTokLiveConnection, error: unknown): void {
    const { SignatureRateLimitError, UserOfflineError } = library;
    if (connection !== this.#connection) return; // stopped meanwhile
    this.#connection = null;
    const message = describeError(error);
    if (error instanceof UserOfflineError) {
      this.#log.info(
        { handle: this.handle, pollMs: this.#offlinePollMs },
        'tiktok streamer offline, waiting',
      );
      this.#waitForLive(message, 'offline');
    } else if (error instanceof SignatureRateLimitError && error.retryAfter > 0) {
      this.#log.warn(
        { handle: this.handle, retryAfterMs: error.retryAfter },
        'tiktok sign server rate limit',
      );
      this.#schedule('rate_limited', error.retryAfter, { lastError: message, lastProblem: 'rate_limited' });
    } else {
      this.#retryWithBackoff(message, 'failed', this.#state.failures + 1);
    }
  }

  /** Not live (offline, or the stream just ended): poll slowly, the room id will be looked up again. */
  #waitForLive(reason: string | null, problem: TikTokProblem | null): void {
    this.#schedule('waiting_for_live', this.#offlinePollMs, {
      roomId: null,
      lastError: reason,
      lastProblem: problem,
      failures: 0,
    });
  }

  #retryWithBackoff(
    reason: string,
    problem: TikTokProblem,
    failures: number,
    patch: Partial<TikTokSourceState> = {},
  ): void {
    const delay = backoffDelay(failures, this.#backoff, this.#random);
    this.#log.warn({ handle: this.handle, reason, failures, delayMs: delay }, 'tiktok live reconnecting');
    this.#schedule('reconnecting', delay, { ...patch, lastError: reason, lastProblem: problem, failures });
  }

  #schedule(type: TikTokSourceStatus, delayMs: number, patch: Partial<TikTokSourceState>): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#setState({ ...patch, type, nextAttemptAt: new Date(Date.now() + delayMs) });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delayMs);
  }

  /** Ignore a connection from now on and close it in the background. */
  #retire(connection: TikTokLiveConnection): void {
    if (this.#connection === connection) this.#connection = null;
    const closing = connection
      .disconnect()
      .catch((error: unknown) =>
        this.#log.debug({ handle: this.handle, error: describeError(error) }, 'tiktok disconnect failed'),
      )
      .finally(() => {
        // A connection exists only once the library is loaded.
        this.#library?.libraryEvents(connection).removeAllListeners();
        this.#closing.delete(closing);
      });
    this.#closing.add(closing);
  }

  #setState(patch: Partial<TikTokSourceState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#stateListeners) {
      try {
        listener(this.#state);
      } catch (error) {
        this.#log.warn({ handle: this.handle, error: describeError(error) }, 'tiktok state listener threw');
      }
    }
  }

  #emitEvent(event: TikTokEvent): void {
    for (const listener of this.#eventListeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log.warn(
          { handle: this.handle, kind: event.kind, error: describeError(error) },
          'tiktok event listener threw',
        );
      }
    }
  }
}
