/** The nine tiers of the queue, in serving order. The order of this array IS the product rule. */
export const TIERS = [
  'skip25',
  'skip20',
  'skip15',
  'skip10',
  'skip5',
  'free',
  'pending',
  'played',
  'removed',
] as const;
export type Tier = (typeof TIERS)[number];

export const SKIP_TIERS = ['skip25', 'skip20', 'skip15', 'skip10', 'skip5'] as const;
export type SkipTier = (typeof SKIP_TIERS)[number];

/** Tiers `next` serves from: the five skip tiers, then Free. Pending waits for a reviewer. */
export const SERVING_TIERS: readonly Tier[] = [...SKIP_TIERS, 'free'];
/** Tiers a submission is still waiting in (its "open" states). */
export const OPEN_TIERS: readonly Tier[] = [...SERVING_TIERS, 'pending'];
/** Tiers that are history. */
export const CLOSED_TIERS: readonly Tier[] = ['played', 'removed'];

export const TIER_LABELS: Record<Tier, string> = {
  skip25: '25+ Skip',
  skip20: '20 Skip',
  skip15: '15 Skip',
  skip10: '10 Skip',
  skip5: '5 Skip',
  free: 'Free',
  pending: 'Pending Skips',
  played: 'Songs Played',
  removed: 'Removed',
};

/** 0 for 25+ Skip … 8 for Removed; lower is served first. */
export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

export function isSkipTier(tier: Tier): tier is SkipTier {
  return (SKIP_TIERS as readonly Tier[]).includes(tier);
}

export function isOpenTier(tier: Tier): boolean {
  return OPEN_TIERS.includes(tier);
}

export function isServingTier(tier: Tier): boolean {
  return SERVING_TIERS.includes(tier);
}
