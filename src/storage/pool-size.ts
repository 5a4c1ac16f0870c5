/**
 * PostgreSQL connections per bot process. Under the load benchmark (17 LIVEs per process) all 20 are
 * in use; the TikTok ingest takes at most 5 of them (src/features/tiktok/ingest-tuning.ts).
 */
export const DEFAULT_POOL_SIZE = 20;

/** Connections a pool keeps while idle when it is not kept full (tools, tests). */
export const IDLE_POOL_SIZE = 5;
