import { TIER_LABELS } from '../../domain/tiers.js';
import type { BotContext } from '../../discord/module.js';
import type { GiftSkipAward } from '../../storage/gift-skip-claims-repo.js';

/**
 * What a newly linked member is told about gifts the account sent before the link: an upgrade of
 * their waiting song (the queue views refresh) or a credit for their next submission.
 */
export function announceGiftSkip(ctx: BotContext, guildId: string, award: GiftSkipAward | null): string {
  if (!award) return '';
  const tier = TIER_LABELS[award.tier];
  if (award.outcome.kind === 'upgraded') {
    ctx.queueEvents.changed(guildId, 'gift_skip');
    return ` Gifts it sent earlier earned a ${tier}: your waiting song moved up.`;
  }
  if (award.outcome.kind === 'credited') return ` Gifts it sent earlier earned a ${tier} for your next song.`;
  return '';
}
