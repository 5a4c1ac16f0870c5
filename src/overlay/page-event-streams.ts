import { PassThrough } from 'node:stream';
import type { HttpResponse } from '../http/routes.js';

/** A view a page can subscribe to; streams with equal keys share one render per change. */
export type StreamedView = { page: 'overlay'; upNext: number } | { page: 'studio' } | { page: 'public' };

export interface StreamSubscription {
  guildId: string;
  /** The token slot the stream was opened with (`guild:page:owner`): replacing that token closes it. */
  slotKey: string;
  view: StreamedView;
  /**
   * Asks again whether the URL may still see the page (its token unchanged, its reviewer still a
   * reviewer), so a token replaced by another process, or a role taken away, also ends the stream.
   */
  stillAllowed(): Promise<boolean>;
}

interface OpenStream extends StreamSubscription {
  viewKey: string;
  out: PassThrough;
  /** The last data sent, so a change that leaves this view as it was sends nothing. */
  lastSent: string | null;
}

/** How long EventSource waits before reconnecting after the stream ends (a restart, a reload). */
const RECONNECT_MS = 3_000;

/**
 * Server-Sent Event streams of the web pages (overlay, studio, public queue), per guild. A queue change re-renders
 * each distinct view of that guild once and sends it to the streams that show it; renders of one
 * guild run one after another, so a stream never receives an older state after a newer one.
 */
export class PageEventStreams {
  readonly #byGuild = new Map<string, Set<OpenStream>>();
  readonly #refreshing = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(
    private readonly options: {
      /** Streams one guild may hold open; more are refused with 429. */
      maxPerGuild: number;
      render(guildId: string, view: StreamedView): Promise<unknown>;
      onRenderError(error: unknown, guildId: string): void;
      onRecheckError(error: unknown, guildId: string): void;
    },
  ) {}

  /** A `text/event-stream` response that first sends the current view, then every change. */
  open(subscription: StreamSubscription): HttpResponse {
    const streams = this.#byGuild.get(subscription.guildId) ?? new Set<OpenStream>();
    if (streams.size >= this.options.maxPerGuild) {
      return {
        status: 429,
        body: { error: 'too many open page connections for this server' },
        headers: { 'retry-after': '30' },
      };
    }
    const stream: OpenStream = {
      ...subscription,
      viewKey: JSON.stringify(subscription.view),
      out: new PassThrough(),
      lastSent: null,
    };
    streams.add(stream);
    this.#byGuild.set(subscription.guildId, streams);
    stream.out.once('close', () => {
      streams.delete(stream);
      if (streams.size === 0 && this.#byGuild.get(subscription.guildId) === streams)
        this.#byGuild.delete(subscription.guildId);
    });
    stream.out.write(`retry: ${RECONNECT_MS}\n\n`);
    this.refresh(subscription.guildId);
    return {
      status: 200,
      body: stream.out,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // nginx and similar proxies would otherwise hold events back in their buffers.
        'x-accel-buffering': 'no',
      },
    };
  }

  /** The guild's queue changed: each of its views is rendered and sent where it differs. */
  refresh(guildId: string): void {
    const running = this.#refreshing.get(guildId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true, done: Promise.resolve() };
    state.done = (async () => {
      try {
        while (state.again) {
          state.again = false;
          await this.#push(guildId);
        }
      } finally {
        this.#refreshing.delete(guildId);
      }
    })();
    this.#refreshing.set(guildId, state);
  }

  /** After a lost database notification channel: anything may have changed anywhere. */
  refreshAll(): void {
    for (const guildId of this.#byGuild.keys()) this.refresh(guildId);
  }

  /**
   * A comment line: keeps proxies from timing the stream out and lets a dead client be noticed.
   * A stream still waiting for its first view gets none, so the view is always what comes first.
   */
  heartbeat(): void {
    for (const stream of this.#streams())
      if (stream.lastSent !== null && stream.out.writable) stream.out.write(': heartbeat\n\n');
  }

  /** The token of this slot was replaced: its pages are told so, and their streams end. */
  revoke(slotKey: string): void {
    for (const stream of this.#streams()) if (stream.slotKey === slotKey) this.#revokeStream(stream);
  }

  /**
   * Ends, as revoked, every open stream whose URL no longer opens its page. A check that fails (the
   * database is away) keeps the stream: it is asked again next time.
   */
  async recheck(): Promise<void> {
    await Promise.all(
      this.#streams().map(async (stream) => {
        let allowed: boolean;
        try {
          allowed = await stream.stillAllowed();
        } catch (error) {
          this.options.onRecheckError(error, stream.guildId);
          return;
        }
        if (!allowed) this.#revokeStream(stream);
      }),
    );
  }

  #revokeStream(stream: OpenStream): void {
    if (stream.out.writable) stream.out.end('event: revoked\ndata: {}\n\n');
  }

  openCount(guildId: string): number {
    return this.#byGuild.get(guildId)?.size ?? 0;
  }

  /** Module stop: every stream ends (EventSource reconnects later) once the renders under way finish. */
  async close(): Promise<void> {
    await Promise.all([...this.#refreshing.values()].map((r) => r.done));
    for (const stream of this.#streams()) stream.out.end();
    this.#byGuild.clear();
  }

  #streams(): OpenStream[] {
    return [...this.#byGuild.values()].flatMap((streams) => [...streams]);
  }

  async #push(guildId: string): Promise<void> {
    const streams = [...(this.#byGuild.get(guildId) ?? [])];
    const views = new Map(streams.map((s) => [s.viewKey, s.view]));
    for (const [viewKey, view] of views) {
      let data: string;
      try {
        data = JSON.stringify(await this.options.render(guildId, view));
      } catch (error) {
        this.options.onRenderError(error, guildId);
        continue;
      }
      for (const stream of streams) {
        if (stream.viewKey !== viewKey || stream.lastSent === data || !stream.out.writable) continue;
        stream.lastSent = data;
        stream.out.write(`event: queue\ndata: ${data}\n\n`);
      }
    }
  }
}
