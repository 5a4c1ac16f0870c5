/** What refreshing one embed did; anything but `unchanged` and `skipped` made a Discord call. */
export type RefreshOutcome = 'edited' | 'unchanged' | 'skipped' | 'failed' | 'gone';

export interface RefreshQueueOptions {
  /** A guild's changes within this window after the first one become one refresh. */
  debounceMs: number;
  /** Minimum time between two Discord edits made by this process. */
  editSpacingMs: number;
  /** Ids of the guild's active embeds. */
  embedsOf(guildId: string): Promise<number[]>;
  /** Renders one embed and edits its message if the content changed. */
  refresh(embedId: number): Promise<RefreshOutcome>;
  onError(error: unknown, context: Record<string, unknown>): void;
}

/**
 * The per-process queue of embed refreshes. A queue change opens a window of `debounceMs` for its
 * guild; when it closes, the guild's embeds are queued once whatever the number of changes (a window
 * opens on the first change rather than restarting on each, so a queue that never stops changing
 * still refreshes). One worker renders embeds in turn, at the latest data, and spaces its Discord
 * edits `editSpacingMs` apart; an embed already waiting is not queued twice.
 */
export class EmbedRefreshQueue {
  private readonly windows = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Set<number>();
  private worker: Promise<void> | undefined;
  private spacing: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private stopped = false;

  constructor(private readonly options: RefreshQueueOptions) {}

  guildChanged(guildId: string): void {
    if (this.stopped || this.windows.has(guildId)) return;
    const timer = setTimeout(() => {
      this.windows.delete(guildId);
      this.options.embedsOf(guildId).then(
        (ids) => this.enqueue(ids),
        (error: unknown) => this.options.onError(error, { guildId, step: 'list embeds' }),
      );
    }, this.options.debounceMs);
    this.windows.set(guildId, timer);
  }

  enqueue(embedIds: Iterable<number>): void {
    if (this.stopped) return;
    for (const id of embedIds) this.pending.add(id);
    this.startWorker();
  }

  /** Resolves when nothing is queued or being refreshed. */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Drops what is queued; resolves after the refresh in progress finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.windows.values()) clearTimeout(timer);
    this.windows.clear();
    this.pending.clear();
    if (this.spacing) {
      clearTimeout(this.spacing.timer);
      this.spacing.wake();
    }
    await this.worker;
  }

  /** Restarted on finishing, for embeds queued between the last loop turn and the end. */
  private startWorker(): void {
    if (this.worker || this.stopped || this.pending.size === 0) return;
    this.worker = this.work().finally(() => {
      this.worker = undefined;
      this.startWorker();
    });
  }

  private async work(): Promise<void> {
    // A Set iterates over ids added while it runs, and skips ids deleted before their turn.
    for (const id of this.pending) {
      if (this.stopped) return;
      this.pending.delete(id);
      let outcome: RefreshOutcome = 'failed';
      try {
        outcome = await this.options.refresh(id);
      } catch (error) {
        this.options.onError(error, { embedId: id, step: 'refresh' });
      }
      if (outcome !== 'unchanged' && outcome !== 'skipped') await this.waitForNextEdit();
    }
  }

  private waitForNextEdit(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.spacing = undefined;
        resolve();
      };
      this.spacing = { timer: setTimeout(wake, this.options.editSpacingMs), wake };
    });
  }
}
