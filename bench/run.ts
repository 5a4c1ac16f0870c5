import { runEmbedBenchmarks } from './embeds.bench.js';
import { runIngestBenchmarks } from './ingest.bench.js';
import { runQueueBenchmarks } from './queue.bench.js';

// Benchmarks print figures; they are not pass/fail tests. Run on an otherwise idle machine.
console.log(`music-review-bot benchmarks — Node ${process.version}, ${new Date().toISOString()}`);
await runQueueBenchmarks();
await runEmbedBenchmarks();
await runIngestBenchmarks();
