import { EventEmitter } from 'node:events';

/**
 * In-process signal that a guild's queue changed (submission, next, move, skip, score change), fed
 * only by the queue-change feed (src/queue-changes/feed.ts): the database notifies every process
 * after each commit. Views (embeds, overlay, pages) subscribe and refresh.
 */
export class QueueEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every view of every loaded module subscribes: more than Node's default warning threshold.
    this.emitter.setMaxListeners(50);
  }

  /** A committed change of `guildId`'s queue. Called by the feed (and tests standing in for it). */
  changed(guildId: string): void {
    this.emitter.emit('changed', guildId);
  }

  /** Changes may have been missed (the listener reconnected): every view should refresh. */
  resync(): void {
    this.emitter.emit('resync');
  }

  onChanged(listener: (guildId: string) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }

  onResync(listener: () => void): () => void {
    this.emitter.on('resync', listener);
    return () => this.emitter.off('resync', listener);
  }
}
