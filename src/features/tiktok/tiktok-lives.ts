import type { BotContext } from '../../discord/module.js';
import type { RelayOutcome } from '../../http/tiktok-webhook.js';
import { listTikTokGuilds } from '../../storage/live-sessions-repo.js';
import type { TikTokSourceStatus } from '../../tiktok/connection.js';
import type { TikTokEvent } from '../../tiktok/events.js';
import { GuildLive } from './guild-live.js';
import type { ResolvedTikTokOptions } from './options.js';

/** Every guild's TikTok LIVE in this process, by guild id. */
export class TikTokLives {
  readonly #lives = new Map<string, GuildLive>();

  constructor(
    private readonly ctx: BotContext,
    private readonly options: ResolvedTikTokOptions,
  ) {}

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

  /** On start: reconnect every guild (this bot is still in) that has a TikTok username stored. */
  async connectStored(): Promise<void> {
    for (const { guildId, tiktokUsername } of await listTikTokGuilds(this.ctx.database.db)) {
      if (this.ctx.client.guilds.cache.has(guildId)) await this.connect(guildId, tiktokUsername);
    }
  }

  /** Connects to `handle`'s LIVE; a connection to another handle is ended first (with its session). */
  async connect(guildId: string, handle: string): Promise<void> {
    const current = this.#lives.get(guildId);
    if (current?.source && current.handle?.toLowerCase() === handle.toLowerCase()) return;
    if (current?.source) await this.disconnect(guildId, 'switched account');
    const live = await this.#ensure(guildId);
    live.connect(handle);
  }

  async disconnect(guildId: string, reason: string): Promise<void> {
    const live = this.#lives.get(guildId);
    if (!live) return;
    this.#lives.delete(guildId);
    await live.disconnect(reason);
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

  /** Bot shutdown or module unload: connections close, buffers are written, sessions stay open. */
  async stopAll(): Promise<void> {
    const lives = [...this.#lives.values()];
    this.#lives.clear();
    await Promise.all(lives.map((live) => live.stop()));
  }

  async #ensure(guildId: string): Promise<GuildLive> {
    let live = this.#lives.get(guildId);
    if (!live) {
      live = new GuildLive(this.ctx, guildId, this.options);
      this.#lives.set(guildId, live);
      await live.resume();
    }
    return live;
  }
}
