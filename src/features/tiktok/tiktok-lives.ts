import type { Client } from 'discord.js';
import type { BotContext } from '../../discord/module.js';
import { shardOfGuild } from '../../discord/shard-plan.js';
import type { RelayOutcome } from '../../http/tiktok-webhook.js';
import { listTikTokGuilds } from '../../storage/live-sessions-repo.js';
import {
  claimTikTokLeases,
  clearTikTokLeases,
  findTikTokLease,
  heartbeatBotProcess,
  leaveBotProcesses,
  markTikTokLeaseConnected,
  offerTikTokLeases,
  releaseTikTokLeases,
} from '../../storage/tiktok-leases-repo.js';
import type { TikTokSourceStatus } from '../../tiktok/connection.js';
import type { TikTokEvent } from '../../tiktok/events.js';
import { WriteSlots } from '../../tiktok/ingest/write-slots.js';
import { GuildLive } from './guild-live.js';
import { ingestTuning } from './ingest-tuning.js';
import type { ResolvedTikTokOptions } from './options.js';

/** Rounds an offered LIVE waits for another process to take it before this one claims it back. */
const OFFER_ROUNDS = 3;
/**
 * How long a LIVE stays connected here after another process took its lease, while that process is
 * not yet connected (a slow sign server), in lease times (30 s in production): bounded, so a taker
 * that never gets in (the streamer went offline) does not keep this connection open for good.
 */
const TAKEOVER_LEASES = 2;

/**
 * A LIVE this process gives up but still records, so that no message falls into the gap between its
 * connection and the next holder's: offered (above this process's share) or taken (another process
 * holds the lease). Rounds without a holder, and since when (local clock) another one holds it.
 */
interface Leaving {
  reason: string;
  rounds: number;
  takenSince: number | null;
}

/**
 * Every guild's TikTok LIVE in this process, by guild id. Of the processes sharing a database,
 * exactly one connects to each guild's LIVE: the one holding its lease (src/storage/tiktok-leases-repo.ts).
 * `syncLeases` claims and renews leases every `leaseRenewMs`, connects the guilds it won, drops those
 * it lost, and follows changes of the stored username made by any process.
 */
export class TikTokLives {
  readonly #lives = new Map<string, GuildLive>();
  /** Lease rounds before this time only register the process (see `firstClaimDelayMs`). */
  #claimFrom = 0;
  #firstClaim: NodeJS.Timeout | undefined;
  /** Local time until which this process's leases are sure to hold (last renewal + TTL − one renewal). */
  #leasesSureUntil = 0;
  /** Leases are synced one round at a time; a round asked for meanwhile runs after it. */
  #syncing: Promise<void> = Promise.resolve();
  #stopped = false;
  /** LIVEs given up (offered, or the lease taken) and still connected, until the next holder is in. */
  readonly #leaving = new Map<string, Leaving>();

  /** Shared by every LIVE of this process (see ingestTuning). */
  readonly #writeSlots: WriteSlots | undefined;

  constructor(
    private readonly ctx: BotContext,
    private readonly options: ResolvedTikTokOptions,
  ) {
    const { processWrites } = ingestTuning(ctx.database.kind);
    this.#writeSlots = processWrites === null ? undefined : new WriteSlots(processWrites);
  }

  get(guildId: string): GuildLive | undefined {
    return this.#lives.get(guildId);
  }

  /**
   * Each guild's connection state, by guild id: `relay_only` for a guild whose events arrive through
   * the webhook alone. No handles or error texts: /healthz answers anyone who asks.
   */
  connectionStates(): { guildId: string; state: TikTokSourceStatus | 'relay_only' }[] {
    return [...this.#lives.values()]
      .map((live) => ({ guildId: live.guildId, state: live.source?.state.type ?? ('relay_only' as const) }))
      .sort((a, b) => (a.guildId < b.guildId ? -1 : a.guildId > b.guildId ? 1 : 0));
  }

  /** This process's name in the lease table, shown by `/admin tiktok status`. */
  get owner(): string {
    return this.options.leaseOwner;
  }

  /**
   * On start. The embedded database is opened by one process at a time, so leases left by a
   * previous run (killed before it could release them) belong to no one and are dropped.
   */
  async start(): Promise<void> {
    if (this.ctx.database.kind === 'pglite') {
      // One process: nobody to share with, so it claims at once.
      await clearTikTokLeases(this.ctx.database.db);
      return this.syncLeases();
    }
    const delayMs = this.options.firstClaimDelayMs;
    if (delayMs <= 0) return this.syncLeases();
    // Rounds before #claimFrom only register this process (#syncRound): this one, and any timer's.
    this.#claimFrom = Date.now() + delayMs;
    await this.syncLeasesLogged();
    this.#firstClaim = setTimeout(() => void this.syncLeasesLogged(), delayMs);
  }

  /** A lease round whose failure is logged (the next round tries again): timers' rounds, and start's. */
  syncLeasesLogged(): Promise<void> {
    return this.syncLeases().catch((error: unknown) =>
      this.ctx.logger.error({ err: error }, 'tiktok lease round failed'),
    );
  }

  /**
   * One lease round: claims or renews the lease of every guild with a TikTok username (that this bot
   * is still in), connects those won, and stops those lost or no longer wanted. A failed renewal keeps
   * the connections while the leases are surely still held, and stops them after that.
   */
  syncLeases(): Promise<void> {
    const round = this.#syncing.then(() => this.#syncRound());
    this.#syncing = round.catch(() => undefined);
    return round;
  }

  async #syncRound(): Promise<void> {
    if (this.#stopped) return;
    const db = this.ctx.database.db;
    if (Date.now() < this.#claimFrom) {
      await heartbeatBotProcess(db, this.owner, this.options.leaseTtlMs);
      return;
    }
    const startedAt = Date.now();
    let followed: Map<string, string>;
    let wanted: Map<string, string>;
    let held: Set<string>;
    let offer: string[];
    try {
      followed = new Map(
        (await listTikTokGuilds(db)).map(({ guildId, tiktokUsername }) => [guildId, tiktokUsername]),
      );
      wanted = new Map([...followed].filter(([guildId]) => this.#stillIn(guildId)));
      // Each process takes its share of the LIVEs, so one process does not end up holding them all.
      const processes = await heartbeatBotProcess(db, this.owner, this.options.leaseTtlMs);
      const share = Math.ceil(wanted.size / processes);
      const holding = [...this.#lives].filter(([g, live]) => live.source && !this.#leaving.has(g)).length;
      held = new Set(
        await claimTikTokLeases(
          db,
          this.owner,
          [...wanted.keys()].filter((g) => !this.#leaving.has(g)),
          this.options.leaseTtlMs,
          Math.max(0, share - holding),
        ),
      );
      // Above the share (another process joined): the excess is offered. Its lease expires now, but
      // this process stays connected until another one holds it and is connected (#followLeaving).
      offer = [...held].sort().slice(share);
      for (const guildId of offer) held.delete(guildId);
      await offerTikTokLeases(db, this.owner, offer);
      this.#leasesSureUntil = startedAt + this.options.leaseTtlMs - this.options.leaseRenewMs;
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'tiktok lease renewal failed');
      if (Date.now() >= this.#leasesSureUntil) await this.#handOverAll('lease renewal failed');
      return;
    }
    if (this.#stopped) return;
    for (const guildId of offer)
      this.#leaving.set(guildId, {
        reason: 'spreading LIVEs over the bot processes',
        rounds: 0,
        takenSince: null,
      });
    for (const [guildId, live] of [...this.#lives]) {
      if (!live.source) continue;
      if (!followed.has(guildId)) await this.disconnect(guildId, 'disconnected by an admin');
      else if (!wanted.has(guildId)) await this.disconnect(guildId, 'the bot left the server');
      else if (this.#leaving.has(guildId)) await this.#followLeaving(guildId);
      else if (!held.has(guildId)) {
        // This process's lease ran out (a stall, an offer that ended) and another one claimed it.
        this.#leaving.set(guildId, { reason: 'lease taken by another process', rounds: 0, takenSince: null });
        await this.#followLeaving(guildId);
      }
    }
    for (const guildId of [...this.#leaving.keys()])
      if (!this.#lives.get(guildId)?.source) this.#leaving.delete(guildId);
    for (const guildId of held) await this.connect(guildId, wanted.get(guildId) as string);
  }

  /**
   * A LIVE being given up is handed over once another process holds its lease and is connected to
   * it (or, if that process never gets in, after TAKEOVER_LEASES lease times). If no process takes
   * it within OFFER_ROUNDS (the others are full, or the taker died), this process claims it back.
   */
  async #followLeaving(guildId: string): Promise<void> {
    const leaving = this.#leaving.get(guildId);
    if (!leaving) return;
    const db = this.ctx.database.db;
    const lease = await findTikTokLease(db, guildId);
    if (lease && lease.owner !== this.owner) {
      const takenSince = leaving.takenSince ?? Date.now();
      if (
        lease.connectedAt !== null ||
        Date.now() - takenSince >= TAKEOVER_LEASES * this.options.leaseTtlMs
      ) {
        this.#leaving.delete(guildId);
        await this.#handOver(guildId, leaving.reason);
      } else {
        this.#leaving.set(guildId, { ...leaving, takenSince });
      }
    } else if (leaving.rounds >= OFFER_ROUNDS) {
      this.#leaving.delete(guildId);
      const [kept] = await claimTikTokLeases(db, this.owner, [guildId], this.options.leaseTtlMs, 1);
      // Taken at this very moment: it is given up as taken, once the taker is in.
      if (kept === undefined)
        this.#leaving.set(guildId, { reason: 'lease taken by another process', rounds: 0, takenSince: null });
      else await this.#markConnected(guildId);
    } else {
      this.#leaving.set(guildId, { ...leaving, rounds: leaving.rounds + 1 });
    }
  }

  /**
   * Guilds of this process's shards must be in the client's cache (the bot may have left them);
   * other shards' guilds are not visible here and count as joined.
   */
  #stillIn(guildId: string): boolean {
    const client: Client = this.ctx.client;
    const shards = client.options.shards;
    const shardCount = client.options.shardCount ?? 1;
    const ownShard = !Array.isArray(shards) || shards.includes(shardOfGuild(guildId, shardCount));
    return !ownShard || client.guilds.cache.has(guildId);
  }

  /** Stops a connection whose lease this process no longer holds; the session stays open for the next owner. */
  async #handOver(guildId: string, reason: string): Promise<void> {
    const live = this.#lives.get(guildId);
    if (!live) return;
    this.#lives.delete(guildId);
    this.ctx.logger.info({ guildId, reason }, 'tiktok live handed over');
    await live.stop();
  }

  async #handOverAll(reason: string): Promise<void> {
    for (const [guildId, live] of [...this.#lives]) if (live.source) await this.#handOver(guildId, reason);
  }

  /** Connects to `handle`'s LIVE; a connection to another handle is ended first (with its session). */
  async connect(guildId: string, handle: string): Promise<void> {
    const current = this.#lives.get(guildId);
    if (current?.source && current.handle?.toLowerCase() === handle.toLowerCase()) return;
    if (current?.source) await this.#end(guildId, 'switched account');
    const live = await this.#ensure(guildId);
    live.connect(handle);
    live.source?.onState((state) => {
      if (state.type === 'live') void this.#markConnected(guildId);
    });
  }

  /** Tells a process giving this LIVE up that it may leave: this one is in the room. */
  async #markConnected(guildId: string): Promise<void> {
    if (this.#lives.get(guildId)?.source?.state.type !== 'live') return;
    try {
      await markTikTokLeaseConnected(this.ctx.database.db, this.owner, guildId);
    } catch (error) {
      // The previous holder then leaves after TAKEOVER_LEASES; the next live state tries again.
      this.ctx.logger.warn({ err: error, guildId }, 'tiktok lease not marked connected');
    }
  }

  /** Ends the connection and its session (with the summary), and gives up the guild's lease. */
  async disconnect(guildId: string, reason: string): Promise<void> {
    if (!(await this.#end(guildId, reason))) return;
    await releaseTikTokLeases(this.ctx.database.db, this.owner, [guildId]);
  }

  async #end(guildId: string, reason: string): Promise<boolean> {
    const live = this.#lives.get(guildId);
    if (!live) return false;
    this.#lives.delete(guildId);
    await live.disconnect(reason);
    return true;
  }

  /** The webhook's sink: events relayed for a guild this bot is in. */
  async relay(
    guildId: string,
    events: TikTokEvent[],
  ): Promise<({ ok: true } & RelayOutcome) | { ok: false; reason: 'unknown_guild' }> {
    if (!this.ctx.client.guilds.cache.has(guildId)) return { ok: false, reason: 'unknown_guild' };
    const live = await this.#ensure(guildId);
    return { ok: true, ...(await live.relay(events)) };
  }

  tick(now = Date.now()): void {
    for (const live of this.#lives.values()) live.tick(now);
  }

  /**
   * Bot shutdown or module unload: connections close, buffers are written, sessions stay open, and
   * the leases are released at once so another process reconnects without waiting for them to expire.
   */
  async stopAll(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#firstClaim);
    await this.#syncing;
    this.#leaving.clear();
    const lives = [...this.#lives.values()];
    this.#lives.clear();
    await Promise.all(lives.map((live) => live.stop()));
    try {
      await releaseTikTokLeases(this.ctx.database.db, this.owner);
      await leaveBotProcesses(this.ctx.database.db, this.owner);
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'tiktok leases not released; they expire on their own');
    }
  }

  async #ensure(guildId: string): Promise<GuildLive> {
    let live = this.#lives.get(guildId);
    if (!live) {
      live = new GuildLive(this.ctx, guildId, this.options, this.#writeSlots);
      this.#lives.set(guildId, live);
      await live.resume();
    }
    return live;
  }
}
