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
import type { WriteSlots } from './write-slots.js';

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
  /**
   * A stream end, once every message before it is committed. Resolves true when it ended the LIVE's
   * session (false: no session was open, e.g. a stream end sent twice).
   */
  onStreamEnd(event: TikTokEventOf<'streamEnd'>): Promise<boolean>;
  logger: IngestLogger;
  /** Flush as soon as this many messages wait (default 500): the batch size while keeping up. */
  maxBatch?: number;
  /**
   * Under load the batch grows up to this size (default: maxBatch). A flush that leaves a full batch
   * waiting doubles the size; one that leaves less than maxBatch returns it to maxBatch. Larger batches
   * spread a transaction's fixed cost (round trips, commit) over more messages; on PGlite, which runs
   * on the main thread, keep this moderate.
   */
  maxBatchUnderLoad?: number;
  /**
   * Batches written at once (default 1). With 2, the next batch is prepared and sent while one
   * commits; committed order may then differ from arrival order, which the storage tolerates (dedupe
   * by msg id, credits of inserted rows only, streaks credited by growth, sorted lock order). Side
   * effects still run in arrival order, and a stream end waits for every batch before it.
   */
  maxInFlight?: number;
  /** While the database is unreachable, keep at most this many messages (the oldest go first). */
  maxBuffered?: number;
  streakSilenceMs?: number;
  /** Shared by the process's pipelines: at most this many of their batches are written at once. */
  writeSlots?: WriteSlots | undefined;
  clock?: () => number;
}

/**
 * What became of a relayed request: events received, interactions newly recorded (replays are not),
 * and whether a stream end in it ended the session (it is no interaction, so `recorded` omits it).
 */
export type SubmitResult = { received: number; recorded: number; ended: boolean };

/** A webhook request waiting for its messages to commit. */
interface Waiter {
  remaining: number;
  recorded: number;
  ended: boolean;
  resolve(result: SubmitResult): void;
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
 * full buffer flushes at once. Flushes never overlap (within one, up to `maxInFlight` batches do). While `hold()`ing (a connect is replaying its
 * first batch and the session is not known yet) nothing is written.
 */
export class IngestPipeline {
  sessionId: number | null = null;
  readonly #o: Required<Omit<IngestPipelineOptions, 'clock' | 'maxBatchUnderLoad' | 'writeSlots'>> & {
    clock: () => number;
    maxBatchUnderLoad: number;
    writeSlots: WriteSlots | undefined;
  };
  readonly #streaks: GiftStreakTracker;
  #queue: Item[] = [];
  #held = false;
  #flushing: Promise<void> = Promise.resolve();
  #effects: Promise<void> = Promise.resolve();
  #recordedTotal = 0;
  #dropped = 0;
  #batchSize: number;
  /** Drains started or waiting: each takes what arrives meanwhile, so accept() need not ask again. */
  #drains = 0;

  constructor(options: IngestPipelineOptions) {
    const maxBatch = options.maxBatch ?? 500;
    this.#o = {
      maxBuffered: 100_000,
      streakSilenceMs: STREAK_SILENCE_MS,
      clock: Date.now,
      maxInFlight: 1,
      writeSlots: undefined,
      ...options,
      maxBatch,
      maxBatchUnderLoad: Math.max(maxBatch, options.maxBatchUnderLoad ?? maxBatch),
    };
    this.#streaks = new GiftStreakTracker(this.#o.streakSilenceMs);
    this.#batchSize = maxBatch;
  }

  /** Messages per batch now: maxBatch, or more while a backlog waits. */
  get batchSize(): number {
    return this.#batchSize;
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
    if (this.#drains === 0 && this.#queue.length >= this.#batchSize) void this.flush();
  }

  /** Accepts events and resolves once all of them are committed (or were already recorded). */
  submit(events: readonly TikTokEvent[]): Promise<SubmitResult> {
    if (events.length === 0) return Promise.resolve({ received: 0, recorded: 0, ended: false });
    const done = new Promise<SubmitResult>((resolve, reject) => {
      const waiter: Waiter = {
        remaining: events.length,
        recorded: 0,
        ended: false,
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
    this.#drains += 1;
    const run = this.#flushing.then(() => this.#drain()).finally(() => (this.#drains -= 1));
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
    const inFlight = new Set<Promise<boolean>>();
    let failed = false;
    const awaitOne = async () => {
      if (!(await Promise.race(inFlight))) failed = true;
    };
    while (!failed && !this.#held && (this.#queue.length > 0 || inFlight.size > 0)) {
      const head = this.#queue[0];
      const streamEnd = head?.type === 'event' && head.event.kind === 'streamEnd';
      // A partial batch waits for the one in flight (more may arrive meanwhile); a stream end waits
      // for everything before it.
      if (inFlight.size > 0 && (streamEnd || this.#queue.length < this.#batchSize)) {
        await awaitOne();
        continue;
      }
      if (head?.type === 'event' && head.event.kind === 'streamEnd') {
        this.#queue.shift();
        await this.#endStream(head.event, head.waiter);
        continue;
      }
      const end = this.#queue.findIndex(
        (item, i) => i >= this.#batchSize || (item.type === 'event' && item.event.kind === 'streamEnd'),
      );
      const items = this.#queue.splice(0, end === -1 ? this.#queue.length : end);
      this.#adaptBatchSize();
      const write: Promise<boolean> = this.#record(items).finally(() => inFlight.delete(write));
      inFlight.add(write);
      if (inFlight.size >= this.#o.maxInFlight) await awaitOne();
    }
    while (inFlight.size > 0) await awaitOne();
  }

  /** After taking a batch: grow while a full batch still waits, back to maxBatch once caught up. */
  #adaptBatchSize(): void {
    if (this.#queue.length >= this.#batchSize)
      this.#batchSize = Math.min(this.#batchSize * 2, this.#o.maxBatchUnderLoad);
    else if (this.#queue.length < this.#o.maxBatch) this.#batchSize = this.#o.maxBatch;
  }

  async #endStream(event: TikTokEventOf<'streamEnd'>, waiter: Waiter | undefined): Promise<void> {
    let ended = false;
    try {
      ended = await this.#o.onStreamEnd(event);
    } catch (error) {
      this.#o.logger.error({ err: error, guildId: this.#o.guildId }, 'tiktok stream end handling failed');
    }
    if (waiter) {
      waiter.ended ||= ended;
      settle(waiter, false);
    }
  }

  /**
   * One batch, one transaction. On failure the batch goes back to the front of the queue. Its side
   * effects are chained now, before it commits, so they run in arrival order whatever the commit order.
   */
  #record(items: Item[]): Promise<boolean> {
    const written = this.#write(items);
    this.#effects = this.#effects
      .then(async () => {
        const result = await written;
        if (result) await this.#o.onRecorded(result);
      })
      .catch((error: unknown) =>
        this.#o.logger.error({ err: error, guildId: this.#o.guildId }, 'tiktok ingest side effects failed'),
      );
    return written.then((result) => result !== null);
  }

  async #write(items: Item[]): Promise<IngestResult | null> {
    const interactions: InteractionRecord[] = [];
    const accounts: SeenAccount[] = [];
    const streaks: StreakCredit[] = [];
    let result: IngestResult;
    const write = async () => {
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
      return recordIngestBatch(this.#o.db, {
        guildId: this.#o.guildId,
        sessionId: this.sessionId,
        interactions,
        accounts,
        streaks,
        settings,
        now: new Date(this.#o.clock()),
      });
    };
    try {
      result = await (this.#o.writeSlots ? this.#o.writeSlots.run(write) : write());
    } catch (error) {
      this.#o.logger.error(
        { err: error, guildId: this.#o.guildId, messages: items.length },
        'tiktok ingest batch failed; will retry',
      );
      // A webhook caller hears about the failure and may resend; the source's messages are retried.
      const retry = items.filter((item) => item.type === 'streak' || !item.waiter);
      for (const item of items) if (item.type === 'event') item.waiter?.reject(error);
      this.#queue.unshift(...retry);
      return null;
    }
    this.#recordedTotal += result.recorded.length;
    const recorded = new Set(result.recorded.map((r) => r.msgId));
    for (const item of items) {
      if (item.type === 'event' && item.waiter) settle(item.waiter, recorded.has(item.event.msgId));
    }
    return result;
  }
}

function settle(waiter: Waiter, recorded: boolean): void {
  if (recorded) waiter.recorded += 1;
  waiter.remaining -= 1;
  if (waiter.remaining === 0)
    waiter.resolve({ received: waiter.received, recorded: waiter.recorded, ended: waiter.ended });
}
