import { setTimeout as sleep } from 'node:timers/promises';
import type {
  TikTokLiveSource,
  TikTokSourceState,
  TikTokSourceStatus,
} from '../../../src/tiktok/connection.js';
import type { TikTokEvent } from '../../../src/tiktok/events.js';

export type Recorded = { type: 'event'; event: TikTokEvent } | { type: 'state'; state: TikTokSourceState };

/** Records everything a source reports, in order, with helpers to wait for what a test expects. */
export class SourceRecorder {
  readonly log: Recorded[] = [];

  constructor(source: TikTokLiveSource) {
    source.onEvent((event) => this.log.push({ type: 'event', event }));
    source.onState((state) => this.log.push({ type: 'state', state }));
  }

  events(): TikTokEvent[] {
    return this.log.flatMap((entry) => (entry.type === 'event' ? [entry.event] : []));
  }

  states(): TikTokSourceState[] {
    return this.log.flatMap((entry) => (entry.type === 'state' ? [entry.state] : []));
  }

  /** `state:connecting`, `event:gift`, … — the order of things at a glance. */
  timeline(): string[] {
    return this.log.map((entry) =>
      entry.type === 'event' ? `event:${entry.event.kind}` : `state:${entry.state.type}`,
    );
  }

  /** Resolves with the next `count` events reported after this call. */
  async nextEvents(count: number, timeoutMs = 5_000): Promise<TikTokEvent[]> {
    const start = this.events().length;
    await this.waitFor(`${count} more event(s)`, () => this.events().length >= start + count, timeoutMs);
    return this.events().slice(start, start + count);
  }

  /** Resolves with the first state of that type reported after this call. */
  async nextState(type: TikTokSourceStatus, timeoutMs = 5_000): Promise<TikTokSourceState> {
    const start = this.states().length;
    const find = () =>
      this.states()
        .slice(start)
        .find((state) => state.type === type);
    await this.waitFor(`state ${type}`, () => find() !== undefined, timeoutMs);
    return find()!;
  }

  async waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; timeline: ${this.timeline().join(', ')}`);
      }
      await sleep(5);
    }
  }
}
