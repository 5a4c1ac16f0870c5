import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  QUEUE_ACTIONS,
  TRANSITIONS,
  type QueueAction,
} from '../../src/domain/transitions.js';
import { TIERS, type Tier } from '../../src/domain/tiers.js';
import { catchUserError } from './catch-user-error.js';

const OPEN = ['skip25', 'skip20', 'skip15', 'skip10', 'skip5', 'free', 'pending'] as const;
const SERVING = ['skip25', 'skip20', 'skip15', 'skip10', 'skip5', 'free'] as const;
const SKIPS = ['skip25', 'skip20', 'skip15', 'skip10', 'skip5'] as const;

/** The product rules, spelled out pair by pair. */
const ALLOWED: Record<QueueAction, readonly (readonly [Tier, Tier])[]> = {
  take: SERVING.map((from) => [from, 'played'] as const),
  undoTake: SERVING.map((to) => ['played', to] as const),
  remove: OPEN.map((from) => [from, 'removed'] as const),
  withdraw: OPEN.map((from) => [from, 'removed'] as const),
  restore: [
    ['played', 'free'],
    ['removed', 'free'],
  ],
  move: OPEN.flatMap((from) => OPEN.filter((to) => to !== from).map((to) => [from, to] as const)),
  requestSkip: [['free', 'pending']],
  confirmSkip: SKIPS.map((to) => ['pending', to] as const),
  rejectSkip: [['pending', 'free']],
  upgrade: [
    ...SKIPS.map((to) => ['free', to] as const),
    ...SKIPS.map((to) => ['pending', to] as const),
    ['skip20', 'skip25'],
    ['skip15', 'skip25'],
    ['skip15', 'skip20'],
    ['skip10', 'skip25'],
    ['skip10', 'skip20'],
    ['skip10', 'skip15'],
    ['skip5', 'skip25'],
    ['skip5', 'skip20'],
    ['skip5', 'skip15'],
    ['skip5', 'skip10'],
  ],
};

describe('queue transitions', () => {
  it('has a rule for each of the ten actions', () => {
    expect([...QUEUE_ACTIONS].sort()).toEqual(
      [
        'confirmSkip',
        'move',
        'rejectSkip',
        'remove',
        'requestSkip',
        'restore',
        'take',
        'undoTake',
        'upgrade',
        'withdraw',
      ].sort(),
    );
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...QUEUE_ACTIONS].sort());
  });

  describe.each(QUEUE_ACTIONS)('%s', (action) => {
    it('allows exactly the moves the product rules list, and no other', () => {
      const allowed = new Set(ALLOWED[action].map(([from, to]) => `${from}->${to}`));
      for (const from of TIERS) {
        for (const to of TIERS) {
          expect(canTransition(action, from, to), `${action} ${from} -> ${to}`).toBe(
            allowed.has(`${from}->${to}`),
          );
        }
      }
    });

    it('refuses through assertTransition exactly what canTransition refuses', () => {
      for (const from of TIERS) {
        for (const to of TIERS) {
          if (canTransition(action, from, to)) {
            expect(() => assertTransition(action, from, to)).not.toThrow();
          } else {
            expect(catchUserError(() => assertTransition(action, from, to)).code).toBe('illegal_move');
          }
        }
      }
    });
  });

  it('never takes a song out of history except by restoring it or undoing its take', () => {
    for (const action of QUEUE_ACTIONS.filter((a) => a !== 'restore' && a !== 'undoTake')) {
      for (const from of ['played', 'removed'] as const) {
        for (const to of TIERS) expect(canTransition(action, from, to)).toBe(false);
      }
    }
  });

  it('undoes a take only from Songs Played, back to a serving tier', () => {
    for (const from of TIERS.filter((t) => t !== 'played')) {
      for (const to of TIERS) expect(canTransition('undoTake', from, to)).toBe(false);
    }
    expect(catchUserError(() => assertTransition('undoTake', 'removed', 'free')).message).toBe(
      "This song is no longer under review (it is in Removed), so its review can't be undone.",
    );
  });

  it('tells a viewer a played song can no longer be withdrawn', () => {
    expect(catchUserError(() => assertTransition('withdraw', 'played', 'removed')).message).toBe(
      'This song has already been played, so it can no longer be withdrawn.',
    );
    expect(catchUserError(() => assertTransition('withdraw', 'removed', 'removed')).message).toBe(
      'This song is no longer waiting in the queue (it is in Removed).',
    );
  });

  it('tells the reviewer to restore a played song before moving it', () => {
    expect(catchUserError(() => assertTransition('move', 'played', 'skip10')).message).toBe(
      "A song in Songs Played can't be moved to 10 Skip; restore it first.",
    );
  });

  it('tells the reviewer to settle a pending skip before playing the song', () => {
    expect(catchUserError(() => assertTransition('take', 'pending', 'played')).message).toBe(
      "A song in Pending Skips can't be played yet; confirm or reject its skip first.",
    );
  });

  it('says when a song is already in the tier it is moved to', () => {
    expect(catchUserError(() => assertTransition('move', 'free', 'free')).message).toBe(
      'This song is already in Free.',
    );
  });

  it('points a move to Songs Played at playing the song instead', () => {
    expect(catchUserError(() => assertTransition('move', 'free', 'played')).message).toContain('play it');
  });

  it('says only history can be restored', () => {
    expect(catchUserError(() => assertTransition('restore', 'free', 'free')).message).toBe(
      'Only songs in Songs Played or Removed can be restored; this one is in Free.',
    );
  });

  it('says restored songs go back to Free', () => {
    expect(catchUserError(() => assertTransition('restore', 'removed', 'skip10')).message).toBe(
      'A restored song goes back to Free.',
    );
  });

  it('says only Free songs can request a skip', () => {
    expect(catchUserError(() => assertTransition('requestSkip', 'skip5', 'pending')).message).toBe(
      'Only songs in Free can request a skip; this one is in 5 Skip.',
    );
  });

  it('says a skip can only be confirmed while one is waiting', () => {
    expect(catchUserError(() => assertTransition('confirmSkip', 'free', 'skip10')).message).toBe(
      'This song has no skip request waiting; it is in Free.',
    );
  });

  it('refuses an upgrade to a lower skip tier, naming both tiers', () => {
    expect(catchUserError(() => assertTransition('upgrade', 'skip20', 'skip5')).message).toBe(
      'A song in 20 Skip can only be upgraded to a higher skip tier, not to 5 Skip.',
    );
  });
});
