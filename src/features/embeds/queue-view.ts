import { SERVING_TIERS, type Tier } from '../../domain/tiers.js';
import type { Queryable } from '../../storage/connect.js';
import type { EmbedConfig, EmbedKind } from '../../storage/embed-configs-repo.js';
import { listQueue } from '../../storage/submissions-repo.js';
import { clampPage, PAGE_SIZE, type EmbedView } from './render.js';

/** The public and the reviewer queue list what `next` serves; pending skips wait for a reviewer. */
const TIERS_SHOWN: Record<EmbedKind, readonly Tier[]> = {
  live_queue: SERVING_TIERS,
  reviewer_queue: SERVING_TIERS,
  pending_skips: ['pending'],
};

/** Loads one page of an embed (only that page's rows), moved back to the last page if the queue shrank. */
export async function loadEmbedView(
  db: Queryable,
  config: Pick<EmbedConfig, 'id' | 'guildId' | 'kind' | 'page'>,
): Promise<EmbedView> {
  const size = PAGE_SIZE[config.kind];
  const tiers = TIERS_SHOWN[config.kind];
  let page = Math.max(0, config.page);
  let result = await listQueue(db, config.guildId, { tiers, offset: page * size, limit: size });
  const inRange = clampPage(config.kind, result.total, page);
  if (inRange !== page) {
    page = inRange;
    result = await listQueue(db, config.guildId, { tiers, offset: page * size, limit: size });
  }
  return {
    configId: config.id,
    kind: config.kind,
    page,
    total: result.total,
    entries: result.entries.map((e) => ({
      id: e.id,
      position: e.position,
      tier: e.tier,
      artist: e.artist,
      title: e.title,
      submitterId: e.submitterId,
      skipAmount: e.skipAmount,
      requestedSkipAmount: e.requestedSkipAmount,
    })),
  };
}
