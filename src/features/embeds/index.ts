import type { BotModule } from '../../discord/module.js';
import { listActiveEmbeds, type EmbedConfig } from '../../storage/embed-configs-repo.js';
import { createEmbedSubcommand, removeEmbedSubcommand } from './embed-commands.js';
import { refreshEmbed } from './embed-refresh.js';
import { pageButtons } from './page-buttons.js';
import { announceQueueChange, QueueChangeListener } from './queue-change-channel.js';
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
      const allEmbeds = async () => targets(await listActiveEmbeds(db));
      const queue = new EmbedRefreshQueue({
        debounceMs,
        editSpacingMs,
        embedsOf: async (guildId) => targets(await listActiveEmbeds(db, guildId)),
        refresh: (id) => refreshEmbed(ctx, id),
        onError: (error, context) =>
          ctx.logger.error({ ...context, err: error }, 'queue embed refresh failed'),
      });
      scope.onStop(() => queue.stop());

      scope.onStop(
        ctx.queueEvents.onChanged((guildId) => {
          queue.guildChanged(guildId);
          announceQueueChange(ctx.database, guildId).catch((error: unknown) =>
            ctx.logger.warn({ err: error, guildId }, 'could not announce a queue change to other processes'),
          );
        }),
      );

      if (ctx.database.kind === 'postgres' && ctx.config.databaseUrl) {
        const listener = new QueueChangeListener({
          databaseUrl: ctx.config.databaseUrl,
          logger: ctx.logger,
          onChange: (guildId) => queue.guildChanged(guildId),
          onReconnected: () =>
            void allEmbeds().then(
              (embeds) => queue.enqueue(embeds),
              (error: unknown) => ctx.logger.warn({ err: error }, 'could not list queue embeds to refresh'),
            ),
        });
        listener.start();
        scope.onStop(() => listener.stop());
      }

      ctx.scheduler.add(
        {
          name: 'embed-refresh',
          periodMs: safetyNetMs,
          // Every process: the hash swap already keeps two processes from sending the same edit.
          runs: 'every-process',
          run: async () => queue.enqueue(await allEmbeds()),
        },
        scope,
      );
    },
  };
}
