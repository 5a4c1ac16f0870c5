/**
 * A bound on the ingest batches one process writes at once, shared by every guild's pipeline. Each
 * batch holds a pool connection for its whole transaction; unbounded, a process with many LIVEs took
 * the whole pool (17 LIVEs × 2 batches in flight against 20 connections) and interactions waited
 * seconds for a connection (bench/load.bench.ts). Waiters are served in arrival order.
 */
export class WriteSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`write slots must be ≥ 1, got ${size}`);
    this.#free = size;
  }

  /** Batches waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `write` once a slot is free, and frees it after. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await write();
    } finally {
      // Handed straight to the next waiter, so a newcomer cannot take it in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free += 1;
    }
  }
}
