import { TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import type { GiftSkipAward } from '../../storage/gift-skip-claims-repo.js';

/**
 * What a newly linked member is told about gifts the account sent before the link: an upgrade of
 * their waiting song or a credit for their next submission. Empty when the gifts earned nothing new.
 */
export function giftSkipNote(award: GiftSkipAward | null): string {
  if (!award) return '';
  const tier = TIER_LABELS[award.tier];
  if (award.outcome.kind === 'upgraded')
    return ` Gifts it sent earlier earned a ${tier}: your waiting song moved up.`;
  if (award.outcome.kind === 'credited') return ` Gifts it sent earlier earned a ${tier} for your next song.`;
  return '';
}

/** The note for a link's gift skip (an upgraded song reaches the views through the queue-change feed). */
export function announceGiftSkip(ctx: BotContext, guildId: string, award: GiftSkipAward | null): string {
  return giftSkipNote(award);
}
