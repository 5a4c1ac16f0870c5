import type { GuildSettings } from '../../domain/guild-settings.js';
import type { Db } from '../../storage/connect.js';
import {
  recordIngestBatch,
  type IngestResult,
  type InteractionRecord,
  type SeenAccount,
  type StreakCredit,
} from '../../storage/ingest-repo.js';
import type { TikTokEvent, TikTokEventOf } from '../events.js';
import { interactionRecord, seenAccounts } from './interaction-records.js';
import { GiftStreakTracker, STREAK_SILENCE_MS, type SettledStreak } from './streak-tracker.js';

export interface IngestLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface IngestPipelineOptions {
  guildId: string;
  db: Db;
  /** Read at every flush, so an admin's change of rates applies from the next batch. */
  loadSettings(): Promise<GuildSettings>;
  /** After a batch committed. Runs in order, off the ingest path; a failure is logged, not retried. */
  onRecorded(result: IngestResult): Promise<void>;
  /** A stream end, once every message before it is committed. */
  onStreamEnd(event: TikTokEventOf<'streamEnd'>): Promise<void>;
  logger: IngestLogger;
  /** Flush as soon as this many messages wait (default 500). */
  maxBatch?: number;
  /** While the database is unreachable, keep at most this many messages (the oldest go first). */
  maxBuffered?: number;
  streakSilenceMs?: number;
  clock?: () => number;
}

/** A webhook request waiting for its messages to commit. */
interface Waiter {
  remaining: number;
  recorded: number;
  resolve(counts: { received: number; recorded: number }): void;
  reject(error: unknown): void;
  received: number;
}

type Item =
  | { type: 'event'; event: TikTokEvent; waiter?: Waiter | undefined }
  | { type: 'streak'; streak: SettledStreak };

/**
 * The write path of one guild's TikTok LIVE: buffers messages and writes them in batches (one batch,
 * one transaction; see recordIngestBatch), settles gift streaks, and keeps a stream end in its place:
 * everything received before it is committed before the session closes.
 *
 * It owns no timer: its module calls `tick()` every second (silent streaks, pending messages), and a
 * full buffer flushes at once. Flushes never overlap. While `hold()`ing (a connect is replaying its
 * first batch and the session is not known yet) nothing is written.
 */
export class IngestPipeline {
  sessionId: number | null = null;
  readonly #o: Required<Omit<IngestPipelineOptions, 'clock'>> & { clock: () => number };
  readonly #streaks: GiftStreakTracker;
  #queue: Item[] = [];
  #held = false;
  #flushing: Promise<void> = Promise.resolve();
  #effects: Promise<void> = Promise.resolve();
  #recordedTotal = 0;
  #dropped = 0;

  constructor(options: IngestPipelineOptions) {
    this.#o = {
      maxBatch: 500,
      maxBuffered: 100_000,
      streakSilenceMs: STREAK_SILENCE_MS,
      clock: Date.now,
      ...options,
    };
    this.#streaks = new GiftStreakTracker(this.#o.streakSilenceMs);
  }

  /** Messages committed by this pipeline (new ones only, replays excluded). */
  get recordedTotal(): number {
    return this.#recordedTotal;
  }

  get buffered(): number {
    return this.#queue.length;
  }

  accept(event: TikTokEvent): void {
    this.#enqueue(event, undefined);
    if (this.#queue.length >= this.#o.maxBatch) void this.flush();
  }

  /** Accepts events and resolves once all of them are committed (or were already recorded). */
  submit(events: readonly TikTokEvent[]): Promise<{ received: number; recorded: number }> {
    if (events.length === 0) return Promise.resolve({ received: 0, recorded: 0 });
    const done = new Promise<{ received: number; recorded: number }>((resolve, reject) => {
      const waiter: Waiter = {
        remaining: events.length,
        recorded: 0,
        received: events.length,
        resolve,
        reject,
      };
      for (const event of events) this.#enqueue(event, waiter);
    });
    void this.flush();
    return done;
  }

  /** Settles streaks that fell silent and writes what is waiting. */
  tick(): void {
    for (const streak of this.#streaks.settleSilent(this.#o.clock()))
      this.#queue.push({ type: 'streak', streak });
    if (this.#queue.length > 0) void this.flush();
  }

  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    if (this.#queue.length > 0) void this.flush();
  }

  /** Writes everything waiting, batch by batch; resolves when done (or the database refused). */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#drain());
    this.#flushing = run;
    return run;
  }

  /** Settles open streaks at their counts so far, writes everything, and waits for side effects. */
  async stop(): Promise<void> {
    this.#held = false;
    for (const streak of this.#streaks.settleAll()) this.#queue.push({ type: 'streak', streak });
    await this.flush();
    await this.#effects;
  }

  #enqueue(event: TikTokEvent, waiter: Waiter | undefined): void {
    this.#queue.push({ type: 'event', event, waiter });
    if (event.kind === 'gift' && event.streakable) {
      const ended = this.#streaks.observe(event, this.#o.clock());
      if (ended) this.#queue.push({ type: 'streak', streak: ended });
    }
    if (this.#queue.length > this.#o.maxBuffered) {
      const dropped = this.#queue.shift();
      if (dropped?.type === 'event') dropped.waiter?.reject(new Error('ingest buffer overflow'));
      if (this.#dropped++ % 1000 === 0) {
        this.#o.logger.warn(
          { guildId: this.#o.guildId, dropped: this.#dropped },
          'tiktok ingest buffer full, dropping oldest',
        );
      }
    }
  }

  async #drain(): Promise<void> {
    while (!this.#held && this.#queue.length > 0) {
      const head = this.#queue[0];
      if (head?.type === 'event' && head.event.kind === 'streamEnd') {
        this.#queue.shift();
        await this.#endStream(head.event, head.waiter);
        continue;
      }
      const end = this.#queue.findIndex(
        (item, i) => i >= this.#o.maxBatch || (item.type === 'event' && item.event.kind === 'streamEnd'),
      );
      const items = this.#queue.splice(0, end === -1 ? this.#queue.length : end);
      if (!(await this.#record(items))) return;
    }
  }

  async #endStream(event: TikTokEventOf<'streamEnd'>, waiter: Waiter | undefined): Promise<void> {
    try {
      await this.#o.onStreamEnd(event);
    } catch (error) {
      this.#o.logger.error({ err: error, guildId: this.#o.guildId }, 'tiktok stream end handling failed');
    }
    if (waiter) settle(waiter, false);
  }

  /** One batch, one transaction. On failure the batch goes back to the front of the queue. */
  async #record(items: Item[]): Promise<boolean> {
    const interactions: InteractionRecord[] = [];
    const accounts: SeenAccount[] = [];
    const streaks: StreakCredit[] = [];
    let result: IngestResult;
    try {
      const settings = await this.#o.loadSettings();
      for (const item of items) {
        if (item.type === 'streak') {
          const { streak } = item;
          streaks.push({
            key: streak.key,
            tiktokUserId: streak.user.userId,
            giftId: streak.giftId,
            diamondCount: streak.diamondCount,
            repeatCount: streak.repeatCount,
            startedAt: streak.startedAt,
          });
          accounts.push({ ...streak.user, tiktokUserId: streak.user.userId, at: streak.startedAt });
        } else if (item.event.kind !== 'streamEnd') {
          interactions.push(interactionRecord(item.event, settings.points));
          accounts.push(...seenAccounts(item.event));
        }
      }
      result = await recordIngestBatch(this.#o.db, {
        guildId: this.#o.guildId,
        sessionId: this.sessionId,
        interactions,
        accounts,
        streaks,
        settings,
        now: new Date(this.#o.clock()),
      });
    } catch (error) {
      this.#o.logger.error(
        { err: error, guildId: this.#o.guildId, messages: items.length },
        'tiktok ingest batch failed; will retry',
      );
      // A webhook caller hears about the failure and may resend; the source's messages are retried.
      const retry = items.filter((item) => item.type === 'streak' || !item.waiter);
      for (const item of items) if (item.type === 'event') item.waiter?.reject(error);
      this.#queue.unshift(...retry);
      return false;
    }
    this.#recordedTotal += result.recorded.length;
    const recorded = new Set(result.recorded.map((r) => r.msgId));
    for (const item of items) {
      if (item.type === 'event' && item.waiter) settle(item.waiter, recorded.has(item.event.msgId));
    }
    this.#effects = this.#effects
      .then(() => this.#o.onRecorded(result))
      .catch((error: unknown) =>
        this.#o.logger.error({ err: error, guildId: this.#o.guildId }, 'tiktok ingest side effects failed'),
      );
    return true;
  }
}

function settle(waiter: Waiter, recorded: boolean): void {
  if (recorded) waiter.recorded += 1;
  waiter.remaining -= 1;
  if (waiter.remaining === 0) waiter.resolve({ received: waiter.received, recorded: waiter.recorded });
}
