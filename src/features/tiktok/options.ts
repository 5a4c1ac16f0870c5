import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { TikTokLiveSourceOptions } from '../../tiktok/connection.js';
import { WATCH_TIME_PERIOD_MS } from './watch-time-job.js';

/** Knobs of the tiktok module; defaults are the production values, tests shorten them. */
export interface TikTokModuleOptions {
  /** Merged over the source options built from config (tests point the source at a local webcast). */
  sourceOptions?: Partial<TikTokLiveSourceOptions>;
  /** How often buffered messages are written and silent streaks settled. */
  flushIntervalMs?: number;
  /** A batch is written as soon as this many messages wait. */
  maxBatch?: number;
  streakSilenceMs?: number;
  /** Period of the watch-time job (once per period across every process sharing the database). */
  watchTickMs?: number;
  /** A session whose LIVE gave no sign of life this long (disconnected, relay silent) is closed. */
  disconnectGraceMs?: number;
  /** A process that stops renewing (killed) loses its guilds' LIVEs to another process after this. */
  leaseTtlMs?: number;
  /** How often leases are claimed and renewed, and username changes made elsewhere picked up. */
  leaseRenewMs?: number;
  /** This process's name in the lease table: host, pid and a random part (unique across restarts). */
  leaseOwner?: string;
  /**
   * On PostgreSQL a process registers at start but claims LIVEs only this much later, so processes
   * started together see one another and each takes its share at once. Claiming at once, the first
   * one connected every LIVE and handed most of them over a round or two later: twice the sign-server
   * requests, and each of those LIVEs recorded by two processes meanwhile (bench/load.bench.ts).
   */
  firstClaimDelayMs?: number;
}

export type ResolvedTikTokOptions = Required<Omit<TikTokModuleOptions, 'sourceOptions'>> &
  Pick<TikTokModuleOptions, 'sourceOptions'>;

export function resolveTikTokOptions(options: TikTokModuleOptions): ResolvedTikTokOptions {
  return {
    flushIntervalMs: 1_000,
    maxBatch: 500,
    streakSilenceMs: 15_000,
    watchTickMs: WATCH_TIME_PERIOD_MS,
    disconnectGraceMs: 10 * 60_000,
    leaseTtlMs: 15_000,
    leaseRenewMs: 5_000,
    firstClaimDelayMs: 2_000,
    leaseOwner: `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`,
    ...options,
  };
}
