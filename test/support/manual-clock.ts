import type { SchedulerClock } from '../../src/jobs/scheduler.js';

/**
 * Timers that only fire when the test moves the time, so a test can say "not yet at 999 ms, done
 * at 1000 ms" without sleeping. Any number of timers may be pending; `advanceTo` fires the due ones
 * in time order and lets the promise callbacks they start run before it returns.
 */
export class ManualClock implements SchedulerClock {
  private readonly timers = new Set<{ at: number; fn: () => void }>();
  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, fn };
    this.timers.add(timer);
    return timer;
  }
  clearTimer(timer: unknown): void {
    this.timers.delete(timer as { at: number; fn: () => void });
  }

  /** Moves the time forward by `ms`, firing every timer due by then. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  async advanceTo(at: number): Promise<void> {
    await settle();
    for (;;) {
      const due = [...this.timers].filter((t) => t.at <= at).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due);
      this.time = due.at;
      due.fn();
      await settle();
    }
    this.time = at;
  }
}

/** Lets pending promise callbacks (and the I/O-free work they start) run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
