import { setTimeout as sleep } from 'node:timers/promises';
import { SERVING_TIERS } from '../src/domain/tiers.js';
import { EmbedRefreshQueue } from '../src/features/embeds/refresh-queue.js';
import {
  contentHash,
  PAGE_SIZE,
  pageCount,
  renderEmbedMessage,
  type EmbedEntry,
  type EmbedView,
} from '../src/features/embeds/render.js';
import type { EmbedKind } from '../src/storage/embed-configs-repo.js';
import { fmt, percentile, report } from './stats.js';

const QUEUE_SIZE = 10_000;

function queueOf(size: number): EmbedEntry[] {
  return Array.from({ length: size }, (_, i) => ({
    id: 100_000 + i,
    position: i + 1,
    tier: SERVING_TIERS[Math.min(5, Math.floor(i / 500))]!,
    artist: `Artist *${i}* _feat._ @someone`,
    title: `Song number ${i} (extended mix) | remastered`,
    submitterId: String(300000000000000000n + BigInt(i)),
    skipAmount: 25 + (i % 10),
    requestedSkipAmount: null,
  }));
}

function pageView(kind: EmbedKind, queue: EmbedEntry[], page: number): EmbedView {
  const size = PAGE_SIZE[kind];
  return {
    configId: 1,
    kind,
    page,
    total: queue.length,
    entries: queue.slice(page * size, (page + 1) * size),
  };
}

function sample(runs: number, fn: () => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b);
}

/** What one refresh costs (the page shown), and what rendering every page of the queue costs. */
function renderBenchmarks(): void {
  const queue = queueOf(QUEUE_SIZE);
  for (let i = 0; i < 200; i++) contentHash(renderEmbedMessage(pageView('live_queue', queue, i % 50)));
  const rows: [string, string][] = [];
  for (const kind of ['live_queue', 'reviewer_queue', 'pending_skips'] as const) {
    const onePage = sample(2_000, () => contentHash(renderEmbedMessage(pageView(kind, queue, 7))));
    const pages = pageCount(kind, queue.length);
    const everyPage = sample(20, () => {
      for (let p = 0; p < pages; p++) contentHash(renderEmbedMessage(pageView(kind, queue, p)));
    });
    rows.push(
      [
        `${kind}: one page, render + sha256`,
        `p50 ${fmt(percentile(onePage, 50) * 1000, 0)} µs, p95 ${fmt(percentile(onePage, 95) * 1000, 0)} µs`,
      ],
      [
        `${kind}: all ${pages} pages`,
        `p50 ${fmt(percentile(everyPage, 50))} ms, p95 ${fmt(percentile(everyPage, 95))} ms`,
      ],
    );
  }
  report(`Embed render + hash, ${QUEUE_SIZE.toLocaleString('en-US')}-song queue (target ≤ 5 ms)`, rows);
}

/**
 * A queue changing 100 times a minute, three embeds in the guild, the production debounce (1.5 s)
 * and edit spacing (1 s) — run ten times faster: a minute lasts 6 s. Edits are counted where the
 * module would PATCH (the content hash changed).
 */
async function editRateBenchmark(): Promise<void> {
  const SPEED = 10;
  const debounceMs = 1_500 / SPEED;
  const minuteMs = 60_000 / SPEED;
  const changes = 100;
  const queue = queueOf(40);
  const kinds: EmbedKind[] = ['live_queue', 'reviewer_queue', 'live_queue'];
  const hashes = kinds.map(() => '');
  const edits: number[][] = kinds.map(() => []);
  const refreshes = new EmbedRefreshQueue({
    debounceMs,
    editSpacingMs: 1_000 / SPEED,
    embedsOf: async () => kinds.map((_, i) => ({ id: i, channelId: 'general' })),
    refresh: async (i) => {
      const hash = contentHash(renderEmbedMessage(pageView(kinds[i]!, queue, 0)));
      if (hash === hashes[i]) return 'unchanged';
      hashes[i] = hash;
      edits[i]!.push(performance.now());
      return 'edited';
    },
    onError: (error) => console.error(error),
  });
  const started = performance.now();
  for (let c = 0; c < changes; c++) {
    // A viewer's points moved: two neighbours swap places at the top of the queue.
    const [a, b] = [queue[c % 5]!, queue[(c % 5) + 1]!];
    [a.artist, b.artist] = [b.artist, a.artist];
    refreshes.guildChanged('guild');
    await sleep(minuteMs / changes);
  }
  await sleep(debounceMs);
  await refreshes.idle();
  await refreshes.stop();
  const minutes = (performance.now() - started) / minuteMs;
  const gaps = edits.flatMap((times) => times.slice(1).map((t, i) => (t - times[i]!) * SPEED));
  const perMessage = edits.map((e) => e.length / minutes);
  report(
    `Discord edits, queue changing ${changes}×/min, ${kinds.length} embeds in one channel (run ${SPEED}× faster)`,
    [
      ['edits per message per minute', perMessage.map((n) => fmt(n)).join(', ')],
      ['windows per minute (60 s / 1.5 s)', fmt(60_000 / 1_500)],
      ['shortest gap between edits of one message', `${fmt(Math.min(...gaps) / 1000, 2)} s (window 1.5 s)`],
      ['edits per message per window (max)', Math.min(...gaps) >= 1_500 ? '≤ 1' : '> 1'],
    ],
  );
}

export async function runEmbedBenchmarks(): Promise<void> {
  renderBenchmarks();
  await editRateBenchmark();
}
