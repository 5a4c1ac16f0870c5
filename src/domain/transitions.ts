import { UserFacingError } from './errors.js';
import { isUpgrade } from './skips.js';
import {
  CLOSED_TIERS,
  isSkipTier,
  OPEN_TIERS,
  SERVING_TIERS,
  SKIP_TIERS,
  TIER_LABELS,
  type Tier,
} from './tiers.js';

export type QueueAction =
  | 'take'
  | 'undoTake'
  | 'remove'
  | 'withdraw'
  | 'restore'
  | 'move'
  | 'requestSkip'
  | 'confirmSkip'
  | 'rejectSkip'
  | 'upgrade';

export interface TransitionRule {
  from: readonly Tier[];
  to: readonly Tier[];
  /** A further condition on the pair, when listing the tiers is not enough. */
  when?: (from: Tier, to: Tier) => boolean;
}

/** Every move a submission can make between tiers. Anything not listed here is refused. */
export const TRANSITIONS: Readonly<Record<QueueAction, TransitionRule>> = {
  /** The reviewer plays the next song: skip tiers first, then Free. */
  take: { from: SERVING_TIERS, to: ['played'] },
  /** A take by mistake, undone within the server's window: back to the tier it was served from. */
  undoTake: { from: ['played'], to: SERVING_TIERS },
  remove: { from: OPEN_TIERS, to: ['removed'] },
  /** The submitter takes their own waiting song out; a paid skip leaves a credit, as on removal. */
  withdraw: { from: OPEN_TIERS, to: ['removed'] },
  /** History goes back to the queue as a plain Free submission; any skip it had was used or credited. */
  restore: { from: CLOSED_TIERS, to: ['free'] },
  /** A reviewer's manual move inside the queue. */
  move: { from: OPEN_TIERS, to: OPEN_TIERS, when: (from, to) => from !== to },
  requestSkip: { from: ['free'], to: ['pending'] },
  confirmSkip: { from: ['pending'], to: SKIP_TIERS },
  rejectSkip: { from: ['pending'], to: ['free'] },
  /** A gift or Luxury Coins buy a higher tier. */
  upgrade: {
    from: ['free', 'pending', ...SKIP_TIERS],
    to: SKIP_TIERS,
    when: (from, to) => isSkipTier(to) && isUpgrade(from, to),
  },
};

export const QUEUE_ACTIONS = Object.keys(TRANSITIONS) as QueueAction[];

export function canTransition(action: QueueAction, from: Tier, to: Tier): boolean {
  const rule = TRANSITIONS[action];
  return rule.from.includes(from) && rule.to.includes(to) && (rule.when?.(from, to) ?? true);
}

export function assertTransition(action: QueueAction, from: Tier, to: Tier): void {
  if (!canTransition(action, from, to)) {
    throw new UserFacingError('illegal_move', refusal(action, from, to));
  }
}

/** Says why the move is refused and what would work instead. */
function refusal(action: QueueAction, from: Tier, to: Tier): string {
  const here = TIER_LABELS[from];
  const there = TIER_LABELS[to];
  if (action === 'withdraw') {
    return from === 'played'
      ? 'This song has already been played, so it can no longer be withdrawn.'
      : `This song is no longer waiting in the queue (it is in ${here}).`;
  }
  if (action === 'undoTake') {
    return from === 'played'
      ? `A taken song goes back to the tier it was served from, not to ${there}.`
      : `This song is no longer under review (it is in ${here}), so its review can't be undone.`;
  }
  if (CLOSED_TIERS.includes(from) && action !== 'restore') {
    return `A song in ${here} can't be moved to ${there}; restore it first.`;
  }
  switch (action) {
    case 'take':
      return from === 'pending'
        ? `A song in ${here} can't be played yet; confirm or reject its skip first.`
        : `A song in ${here} can only be moved to ${TIER_LABELS.played} by playing it.`;
    case 'restore':
      if (CLOSED_TIERS.includes(from)) return `A restored song goes back to ${TIER_LABELS.free}.`;
      return `Only songs in ${TIER_LABELS.played} or ${TIER_LABELS.removed} can be restored; this one is in ${here}.`;
    case 'move':
      if (from === to) return `This song is already in ${here}.`;
      return `A song can't be moved to ${there} by hand; ${to === 'played' ? 'play' : 'remove'} it instead.`;
    case 'requestSkip':
      return `Only songs in ${TIER_LABELS.free} can request a skip; this one is in ${here}.`;
    case 'confirmSkip':
    case 'rejectSkip':
      return `This song has no skip request waiting; it is in ${here}.`;
    case 'upgrade':
      return `A song in ${here} can only be upgraded to a higher skip tier, not to ${there}.`;
    case 'remove':
      return `A song in ${here} can't be moved to ${there}.`;
  }
}
