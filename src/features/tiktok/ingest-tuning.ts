import type { Database } from '../../storage/connect.js';
import type { IngestPipelineOptions } from '../../tiktok/ingest/pipeline.js';

export type IngestTuning = Required<Pick<IngestPipelineOptions, 'maxBatchUnderLoad' | 'maxInFlight'>> & {
  maxBatch: number;
  /** Batches the whole process writes at once, over all its LIVEs (null: no bound). */
  processWrites: number | null;
};

/**
 * PostgreSQL: under load a batch grows to 2,000 messages and the next one is sent while one commits
 * (bench/ingest.bench.ts measures both against fixed batches of 500). The process's LIVEs together
 * write at most 5 batches at once, a quarter of the pool (20, src/storage/connect.ts), so commands
 * always find a connection; a LIVE waiting for a slot gathers a larger batch meanwhile.
 */
export const POSTGRES_INGEST_TUNING: IngestTuning = {
  maxBatch: 500,
  maxBatchUnderLoad: 2_000,
  maxInFlight: 2,
  processWrites: 5,
};

/**
 * PGlite runs on the main thread (a 10k-row insert blocks the event loop ~63 ms) and is one session
 * (a second transaction only waits): moderate batches, one at a time.
 */
export const PGLITE_INGEST_TUNING: IngestTuning = {
  maxBatch: 500,
  maxBatchUnderLoad: 1_000,
  maxInFlight: 1,
  processWrites: null,
};

export function ingestTuning(kind: Database['kind']): IngestTuning {
  return kind === 'pglite' ? PGLITE_INGEST_TUNING : POSTGRES_INGEST_TUNING;
}
