import { EventEmitter } from 'node:events';

/**
 * In-process signal that a guild's queue changed (submission, next, move, skip, score change).
 * Views (embeds, overlay) subscribe and refresh; emitters don't know who listens.
 */
export class QueueEvents {
  private readonly emitter = new EventEmitter();

  changed(guildId: string, reason: string): void {
    this.emitter.emit('changed', guildId, reason);
  }

  onChanged(listener: (guildId: string, reason: string) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }
}
