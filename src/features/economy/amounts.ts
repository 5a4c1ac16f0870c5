import { UserFacingError } from '../../domain/errors.js';

/** The most an admin can give or take in one command: a typo must not mint a fortune. */
export const MAX_ADJUSTMENT = 1_000_000_000;

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function luxuryCoins(n: number): string {
  return `${formatCount(n)} Luxury ${n === 1 ? 'Coin' : 'Coins'}`;
}

export function engagementPoints(n: number): string {
  return `${formatCount(n)} engagement ${n === 1 ? 'point' : 'points'}`;
}

/** Discord's own min/max checks run in the client only; a crafted request can send anything. */
export function checkAdjustment(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_ADJUSTMENT) {
    throw new UserFacingError(
      'invalid_amount',
      `The amount must be a whole number from 1 to ${formatCount(MAX_ADJUSTMENT)}; nothing changed.`,
    );
  }
  return amount;
}
