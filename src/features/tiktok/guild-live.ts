import { sendDirectMessage } from '../../discord/direct-messages.js';
import type { BotContext } from '../../discord/module.js';
import { userText } from '../../discord/replies.js';
import { getGuildConfig } from '../../storage/guild-config-repo.js';
import type { IngestResult } from '../../storage/ingest-repo.js';
import { reviewTotals } from '../../storage/review-history-repo.js';
import {
  closeLiveSession,
  findOpenSession,
  openLiveSession,
  summarizeSession,
  type LiveSession,
} from '../../storage/live-sessions-repo.js';
import { TikTokLiveSource, type TikTokSourceState } from '../../tiktok/connection.js';
import type { TikTokEvent } from '../../tiktok/events.js';
import { IngestPipeline, type SubmitResult } from '../../tiktok/ingest/pipeline.js';
import type { WriteSlots } from '../../tiktok/ingest/write-slots.js';
import { announceGiftSkip } from '../linking/gift-skip-note.js';
import { announceClaimedGiftSkip, announceGiftSkips, postInChannel } from './announcements.js';
import { formatLiveSummary } from './live-summary.js';
import { ingestTuning } from './ingest-tuning.js';
import type { ResolvedTikTokOptions } from './options.js';

/**
 * One guild's TikTok LIVE: the connection (when a username is set), the ingest pipeline, and the
 * session's life. A session opens when the source reports `live` (or the first relayed event arrives)
 * and closes on the stream's end, or when the LIVE gave no sign of life for the grace period.
 */
export class GuildLive {
  source: TikTokLiveSource | null = null;
  readonly pipeline: IngestPipeline;
  /** Last time the LIVE was known to be on: the source was live, or a relayed batch arrived. */
  #lastSignOfLife = Date.now();
  /** Session changes run one at a time, in the order the source reported them. */
  #lifecycle: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: BotContext,
    readonly guildId: string,
    private readonly options: ResolvedTikTokOptions,
    writeSlots?: WriteSlots,
  ) {
    const { processWrites: _, ...tuning } = ingestTuning(ctx.database.kind);
    this.pipeline = new IngestPipeline({
      guildId,
      db: ctx.database.db,
      loadSettings: async () => (await getGuildConfig(ctx.database.db, guildId)).settings,
      onRecorded: (result) => this.#afterRecorded(result),
      onStreamEnd: (event) => this.#endSession(event.action === 4 ? 'suspended' : 'ended'),
      logger: ctx.logger,
      ...tuning,
      writeSlots,
      maxBatch: options.maxBatch,
      streakSilenceMs: options.streakSilenceMs,
    });
  }

  /** Picks up a session left open by a previous run: it closes after the grace unless the LIVE resumes. */
  async resume(): Promise<void> {
    this.pipeline.sessionId = (await findOpenSession(this.ctx.database.db, this.guildId))?.id ?? null;
  }

  get handle(): string | null {
    return this.source?.handle ?? null;
  }

  connect(handle: string): void {
    const source = new TikTokLiveSource(handle, {
      signApiKey: this.ctx.config.tiktokSignApiKey,
      signApiUrl: this.ctx.config.tiktokSignApiUrl,
      proxyUrl: this.ctx.config.tiktokProxyUrl,
      session: this.ctx.config.tiktokSession,
      logger: this.ctx.logger.child({ guildId: this.guildId }),
      ...this.options.sourceOptions,
    });
    source.onEvent((event) => this.pipeline.accept(event));
    source.onState((state) => this.#onState(source, state));
    this.source = source;
    source.start();
  }

  /** Stops the connection, writes what is buffered, and ends the session with a summary. */
  async disconnect(reason: string): Promise<void> {
    await this.stop();
    await this.#queueLifecycle(async () => {
      await this.#endSession(reason);
    });
  }

  /** Events relayed through the webhook: resolves once they are committed. */
  async relay(events: TikTokEvent[]): Promise<SubmitResult> {
    this.#lastSignOfLife = Date.now();
    if (this.pipeline.sessionId === null && events.some((e) => e.kind !== 'streamEnd')) {
      await this.#queueLifecycle(() => this.#openSession(null));
    }
    return this.pipeline.submit(events);
  }

  tick(now: number): void {
    if (this.source?.state.type === 'live') this.#lastSignOfLife = now;
    this.pipeline.tick();
    if (this.pipeline.sessionId !== null && now - this.#lastSignOfLife >= this.options.disconnectGraceMs) {
      this.#lastSignOfLife = now;
      void this.#queueLifecycle(async () => {
        await this.pipeline.flush();
        await this.#endSession('disconnected');
      });
    }
  }

  /** Stops the connection and writes what is buffered; the session stays open (a restart resumes it). */
  async stop(): Promise<void> {
    const source = this.source;
    this.source = null;
    await source?.stop();
    await this.#lifecycle;
    await this.pipeline.stop();
  }

  #onState(source: TikTokLiveSource, state: TikTokSourceState): void {
    if (source !== this.source) return;
    if (state.type === 'connecting') {
      // TikTok replays its last batch before the connection is up: hold it until the session is known.
      this.pipeline.hold();
    } else if (state.type === 'live') {
      this.#lastSignOfLife = Date.now();
      void this.#queueLifecycle(async () => {
        await this.#openSession(state.roomId);
        this.pipeline.release();
      });
    } else {
      this.pipeline.release();
    }
  }

  #queueLifecycle(step: () => Promise<void>): Promise<void> {
    const run = this.#lifecycle.then(step).catch((error: unknown) => {
      this.ctx.logger.error({ err: error, guildId: this.guildId }, 'tiktok session change failed');
    });
    this.#lifecycle = run;
    return run;
  }

  async #openSession(roomId: string | null): Promise<void> {
    const { tiktokUsername } = await getGuildConfig(this.ctx.database.db, this.guildId);
    const { session, replaced } = await openLiveSession(this.ctx.database.db, {
      guildId: this.guildId,
      tiktokUsername: this.source?.handle ?? tiktokUsername ?? 'relay',
      roomId,
      now: new Date(),
    });
    this.pipeline.sessionId = session.id;
    if (replaced) await this.#postSummary(replaced);
  }

  /** Resolves true when a session was open (it is now closed and its summary posted). */
  async #endSession(reason: string): Promise<boolean> {
    const closed = await closeLiveSession(this.ctx.database.db, this.guildId, reason, new Date());
    this.pipeline.sessionId = null;
    if (closed) await this.#postSummary(closed);
    return closed !== null;
  }

  async #postSummary(session: LiveSession): Promise<void> {
    const summary = await summarizeSession(this.ctx.database.db, session);
    const reviews = await reviewTotals(
      this.ctx.database.db,
      this.guildId,
      session.startedAt,
      session.endedAt ?? new Date(),
    );
    const { summaryChannelId } = await getGuildConfig(this.ctx.database.db, this.guildId);
    await postInChannel(this.ctx, summaryChannelId, formatLiveSummary(summary, reviews));
  }

  /**
   * Side effects of a committed batch: skip notices, and the links its chat codes completed (in the
   * batch's transaction). A link also applies the skips the account's earlier gifts earned: the
   * member hears of it first (their DM needs no database read), then the reviewers.
   */
  async #afterRecorded(result: IngestResult): Promise<void> {
    await announceGiftSkips(this.ctx, this.guildId, result.skips);
    for (const linked of result.links) {
      const skip = announceGiftSkip(this.ctx, this.guildId, linked.giftSkip);
      await sendDirectMessage(
        this.ctx,
        linked.discordUserId,
        `Your TikTok account @${userText(linked.handle, 40)} is now linked: your TikTok points and Luxury Coins count in this server.${skip}`,
      );
      await announceClaimedGiftSkip(this.ctx, this.guildId, linked.giftSkip);
    }
  }
}
