import { runEmbedLatencyBenchmarks } from './embed-latency.bench.js';
import { runEmbedBenchmarks } from './embeds.bench.js';
import { runFootprintBenchmarks } from './footprint.bench.js';
import { runHttpServerBenchmarks } from './http-server.bench.js';
import { runIngestBenchmarks } from './ingest.bench.js';
import { runJobSlotBenchmarks } from './job-slots.bench.js';
import { runLeaseBenchmarks } from './lease.bench.js';
import { runLoadBenchmarks } from './load.bench.js';
import { runQueueBenchmarks } from './queue.bench.js';
import { runReloadBenchmarks } from './reload.bench.js';
import { runStudioBenchmarks } from './studio.bench.js';

// Benchmarks print figures; they are not pass/fail tests. Run on an otherwise idle machine.
// `npm run bench` runs them all; `npm run bench -- footprint ingest` runs the ones named.
const BENCHMARKS: Record<string, () => Promise<void>> = {
  queue: runQueueBenchmarks,
  embeds: runEmbedBenchmarks,
  // The shipped bot against the local Discord: from a queue change to each embed's edit.
  'embed-latency': runEmbedLatencyBenchmarks,
  ingest: runIngestBenchmarks,
  // The built bot (`npm run build` first) as a child process: start-up time and memory.
  footprint: runFootprintBenchmarks,
  // Child processes killed with SIGKILL: how long a TikTok LIVE stays without an owner.
  lease: runLeaseBenchmarks,
  // A build in a temporary folder as a child process: memory over 100 `/admin reload`s.
  reload: runReloadBenchmarks,
  // A take in one server while another server's score sync is held up; pruning per-server slots.
  jobs: runJobSlotBenchmarks,
  // Built bots on PostgreSQL (3) and PGlite (1), many LIVEs, /submit, /next and gifts: acknowledgement
  // times, gift to overlay event and to embed edit, loop delay, RSS.
  load: runLoadBenchmarks,
  // The studio against the local Discord: from a reviewer's action to the public page's update.
  studio: runStudioBenchmarks,
  // Our HTTP server beside fastify and hono: route changes while serving, req/s and latency, size, import.
  http: runHttpServerBenchmarks,
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in BENCHMARKS));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
console.log(`music-review-bot benchmarks — Node ${process.version}, ${new Date().toISOString()}`);
for (const [name, run] of Object.entries(BENCHMARKS)) {
  if (chosen.length === 0 || chosen.includes(name)) await run();
}
