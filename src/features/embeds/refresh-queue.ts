import { SYSTEM_CLOCK, type SchedulerClock } from '../../jobs/scheduler.js';

/** What refreshing one embed did; anything but `unchanged` and `skipped` made a Discord call. */
export type RefreshOutcome = 'edited' | 'unchanged' | 'skipped' | 'failed' | 'gone';

/** An embed to refresh, and the channel its message lives in (Discord limits edits per channel). */
export interface EmbedTarget {
  id: number;
  channelId: string;
}

export interface RefreshQueueOptions {
  /** A guild's changes within this window after the first one become one refresh. */
  debounceMs: number;
  /** Minimum time between two Discord edits in one channel made by this process. */
  editSpacingMs: number;
  /** The guild's active embeds. */
  embedsOf(guildId: string): Promise<EmbedTarget[]>;
  /** Renders one embed and edits its message if the content changed. */
  refresh(embedId: number): Promise<RefreshOutcome>;
  onError(error: unknown, context: Record<string, unknown>): void;
  /** Timers: the real ones, or a test's. */
  clock?: SchedulerClock;
}

/** One channel's embeds waiting for a refresh, and the worker refreshing them in turn. */
interface ChannelLane {
  // A Set iterates over ids added while the worker runs, and skips ids deleted before their turn.
  readonly pending: Set<number>;
  worker: Promise<void> | undefined;
  spacing: { timer: unknown; wake: () => void } | undefined;
}

/**
 * The per-process queue of embed refreshes. A queue change opens a window of `debounceMs` for its
 * guild; when it closes, the guild's embeds are queued once whatever the number of changes (a window
 * opens on the first change rather than restarting on each, so a queue that never stops changing
 * still refreshes). Each channel has its own worker, so embeds in different channels are edited at
 * the same time: Discord's edit limit (about 5 per 5 s) counts per channel. A channel's worker renders
 * its embeds in turn, at the latest data, and spaces its Discord edits `editSpacingMs` apart, which
 * also keeps one embed to one edit per `editSpacingMs`; an embed already waiting is not queued twice.
 */
export class EmbedRefreshQueue {
  private readonly windows = new Map<string, unknown>();
  private readonly lanes = new Map<string, ChannelLane>();
  private readonly clock: SchedulerClock;
  private stopped = false;

  constructor(private readonly options: RefreshQueueOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  guildChanged(guildId: string): void {
    if (this.stopped || this.windows.has(guildId)) return;
    const timer = this.clock.setTimer(() => {
      this.windows.delete(guildId);
      this.options.embedsOf(guildId).then(
        (targets) => this.enqueue(targets),
        (error: unknown) => this.options.onError(error, { guildId, step: 'list embeds' }),
      );
    }, this.options.debounceMs);
    this.windows.set(guildId, timer);
  }

  enqueue(targets: Iterable<EmbedTarget>): void {
    if (this.stopped) return;
    for (const { id, channelId } of targets) {
      let lane = this.lanes.get(channelId);
      if (!lane) {
        lane = { pending: new Set(), worker: undefined, spacing: undefined };
        this.lanes.set(channelId, lane);
      }
      lane.pending.add(id);
      this.startWorker(channelId, lane);
    }
  }

  /** Resolves when nothing is queued or being refreshed. */
  async idle(): Promise<void> {
    for (;;) {
      const workers = [...this.lanes.values()].flatMap((lane) => lane.worker ?? []);
      if (workers.length === 0) return;
      await Promise.all(workers);
    }
  }

  /** Drops what is queued; resolves after the refreshes in progress finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.windows.values()) this.clock.clearTimer(timer);
    this.windows.clear();
    for (const lane of this.lanes.values()) {
      lane.pending.clear();
      if (lane.spacing) {
        this.clock.clearTimer(lane.spacing.timer);
        lane.spacing.wake();
      }
    }
    await this.idle();
  }

  /** Restarted on finishing, for embeds queued between the last loop turn and the end. */
  private startWorker(channelId: string, lane: ChannelLane): void {
    if (lane.worker || this.stopped) return;
    if (lane.pending.size === 0) {
      this.lanes.delete(channelId);
      return;
    }
    lane.worker = this.work(lane).finally(() => {
      lane.worker = undefined;
      this.startWorker(channelId, lane);
    });
  }

  private async work(lane: ChannelLane): Promise<void> {
    for (const id of lane.pending) {
      if (this.stopped) return;
      lane.pending.delete(id);
      let outcome: RefreshOutcome = 'failed';
      try {
        outcome = await this.options.refresh(id);
      } catch (error) {
        this.options.onError(error, { embedId: id, step: 'refresh' });
      }
      if (outcome !== 'unchanged' && outcome !== 'skipped') await this.waitForNextEdit(lane);
    }
  }

  private waitForNextEdit(lane: ChannelLane): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        lane.spacing = undefined;
        resolve();
      };
      lane.spacing = { timer: this.clock.setTimer(wake, this.options.editSpacingMs), wake };
    });
  }
}
