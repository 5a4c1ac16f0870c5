import { FEATURE_MODULES } from '../src/features/index.js';
import { studioModule } from '../src/features/studio/index.js';
import { startTestBot } from '../test/support/bot/test-bot.js';
import type { DriverKind } from '../test/support/db/test-database.js';
import { commandAnswer, queueSong, urlIn } from '../test/overlay/page-support.js';
import { signedInStudio } from '../test/studio/studio-support.js';
import { fmt, percentile, report } from './stats.js';

const ACTIONS = 240;

/**
 * From a studio action (a reviewer's move, sent as the page sends it) to the public queue page's
 * event stream carrying the change, through the shipped bot: the action's transaction, the
 * queue-change trigger and LISTEN/NOTIFY feed, the public page's render and send. Each action waits
 * for its update before the next, so every figure is one action's whole path.
 */
export async function runStudioBenchmarks(): Promise<void> {
  for (const driver of ['pglite', 'postgres'] as const) await measure(driver);
}

async function measure(driver: DriverKind): Promise<void> {
  // The action rate limit (60 a minute, for people) is lifted: this measures the path, not the limit.
  const modules = new Map([
    ...FEATURE_MODULES,
    ['studio', () => studioModule({ limits: { signInsPerMinute: 10, actionsPerMinute: 100_000 } })],
  ]);
  const t = await startTestBot({ driver, modules });
  try {
    const songs = [];
    for (let i = 0; i < ACTIONS; i++)
      songs.push(await queueSong(t, { artist: `Artist ${i}`, title: `Song ${i}` }));
    const publicUrl = urlIn(
      (await commandAnswer(t, { name: 'admin', subcommandGroup: 'public-page', subcommand: 'on' })).content,
    );
    const stream = await queueEvents(`${publicUrl}/events`);
    await stream.next(); // the first view, sent on connect
    const studio = await signedInStudio(t);
    const actionMs: number[] = [];
    const updateMs: number[] = [];
    for (const [i, song] of songs.entries()) {
      // Alternately up to 5 Skip and back to Free: each action changes what the public page lists.
      const [shownIn, to] = i % 2 === 0 ? (['free', 'skip5'] as const) : (['skip5', 'free'] as const);
      const target = i % 2 === 0 ? song : songs[i - 1]!;
      const started = performance.now();
      const update = stream.next();
      const answer = await studio.act({ action: 'move', id: target.id, shownIn, to });
      if (answer.status !== 200) throw new Error(`action ${i} answered ${answer.status}: ${answer.error}`);
      actionMs.push(performance.now() - started);
      await update;
      updateMs.push(performance.now() - started);
    }
    stream.close();
    const line = (ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return `p50 ${fmt(percentile(sorted, 50))} ms, p95 ${fmt(percentile(sorted, 95))} ms, max ${fmt(sorted.at(-1)!)} ms`;
    };
    report(`Studio action → public page update, ${driver} (${ACTIONS} moves, one at a time)`, [
      ['action answered', line(actionMs)],
      ['public page updated', line(updateMs)],
    ]);
  } finally {
    await t.close();
  }
}

/** A page's event stream, read as it arrives: `next()` resolves when the next `queue` event has. */
async function queueEvents(url: string): Promise<{ next(): Promise<void>; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let arrived = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  let counted = 0;
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffered += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        if (buffered.slice(0, end).startsWith('event: queue')) arrived += 1;
        buffered = buffered.slice(end + 2);
      }
      while (waiting[0] && arrived >= waiting[0].count) waiting.shift()!.resolve();
    }
  })();
  return {
    next() {
      const count = ++counted;
      return arrived >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting.push({ count, resolve });
          });
    },
    close: () => abort.abort(),
  };
}
