import type { BotModule } from '../../discord/module.js';
import { listActiveEmbeds, type EmbedConfig } from '../../storage/embed-configs-repo.js';
import { createEmbedSubcommand, removeEmbedSubcommand } from './embed-commands.js';
import { refreshEmbed } from './embed-refresh.js';
import { pageButtons } from './page-buttons.js';
import { removeSelect } from './remove-select.js';
import { EmbedRefreshQueue } from './refresh-queue.js';

export interface EmbedsOptions {
  /** Changes of a guild within this window become one refresh (~1.5 s from change to edit). */
  debounceMs?: number;
  /** Edits of this process in one channel at most one per this many ms (Discord allows ~5 per 5 s per channel). */
  editSpacingMs?: number;
  /** Every embed is re-checked this often, whatever was (or was not) announced. */
  safetyNetMs?: number;
}

/** Self-updating queue messages: the public live queue, the reviewer queue, pending skips. */
export function embedsModule(options: EmbedsOptions = {}): BotModule {
  const { debounceMs = 1_500, editSpacingMs = 1_000, safetyNetMs = 10_000 } = options;
  return {
    name: 'embeds',
    adminSubcommands: [createEmbedSubcommand, removeEmbedSubcommand],
    components: [pageButtons, removeSelect],
    start(ctx, scope) {
      const db = ctx.database.db;
      const targets = (embeds: EmbedConfig[]) => embeds.map(({ id, channelId }) => ({ id, channelId }));
      const queue = new EmbedRefreshQueue({
        debounceMs,
        editSpacingMs,
        embedsOf: async (guildId) => targets(await listActiveEmbeds(db, guildId)),
        refresh: (id) => refreshEmbed(ctx, id),
        onError: (error, context) =>
          ctx.logger.error({ ...context, err: error }, 'queue embed refresh failed'),
      });
      scope.onStop(() => queue.stop());

      // Each server's embeds are refreshed by the process running its shard: only that one has the
      // server in its cache (every process hears every server's changes).
      const ownGuild = (guildId: string) => ctx.client.guilds.cache.has(guildId);
      const ownEmbeds = async () => targets((await listActiveEmbeds(db)).filter((e) => ownGuild(e.guildId)));
      const refreshAll = () =>
        void ownEmbeds().then(
          (embeds) => queue.enqueue(embeds),
          (error: unknown) => ctx.logger.warn({ err: error }, 'could not list queue embeds to refresh'),
        );
      scope.onStop(
        ctx.queueEvents.onChanged((guildId) => {
          if (ownGuild(guildId)) queue.guildChanged(guildId);
        }),
      );
      scope.onStop(ctx.queueEvents.onResync(refreshAll));

      ctx.scheduler.add(
        {
          name: 'embed-refresh',
          periodMs: safetyNetMs,
          // Every process, each for the servers of its own shards.
          runs: 'every-process',
          run: async () => queue.enqueue(await ownEmbeds()),
        },
        scope,
      );
    },
  };
}
