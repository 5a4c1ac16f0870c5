import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';
import { stopOnSignals } from '../src/shutdown.js';

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

let remove: (() => void) | undefined;
afterEach(() => {
  remove?.();
  remove = undefined;
  process.exitCode = undefined;
});

/** stopOnSignals on SIGUSR2 (emitted in-process), with short bounds and a recorded exit. */
function install(stop: () => Promise<void>) {
  const lines: Line[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  remove = stopOnSignals({
    logger,
    stop,
    signals: ['SIGUSR2'],
    deadlineMs: 200,
    drainMs: 50,
    exit: (code) => resolveExit(code),
  });
  return { lines, exited, messages: () => lines.map((l) => l.msg) };
}

describe('stopping on a signal, within a bound', () => {
  it('stops, logs "stopped", and exits 0 when something still holds the process after the drain', async () => {
    const run = install(async () => {});
    const holder = setInterval(() => {}, 1_000);
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(await run.exited).toBe(0);
    } finally {
      clearInterval(holder);
    }
    expect(run.messages()).toEqual(['shutting down', 'stopped', 'still open after stopping; exiting anyway']);
    expect(run.lines.at(-1)!.stillOpen).toMatchObject({ Timeout: expect.any(Number) });
  });

  it('exits 1 at the deadline when a stop step hangs, saying what was still open', async () => {
    const run = install(() => new Promise(() => {}));
    const started = Date.now();
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(await run.exited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(run.messages()).toEqual(['shutting down', 'shutdown did not finish in time; exiting']);
    expect(run.lines.at(-1)).toMatchObject({ level: 50, afterMs: 200, stillOpen: expect.any(Object) });
  });

  it('exits 1 when a stop step fails', async () => {
    const run = install(() => Promise.reject(new Error('database close failed')));
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(await run.exited).toBe(1);
    expect(run.messages()).toContain('error during shutdown');
  });

  it('exits at once on a second signal', async () => {
    const run = install(() => new Promise(() => {}));
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(await run.exited).toBe(1);
    expect(run.messages()).toEqual(['shutting down', 'second signal: exiting without waiting']);
  });
});
