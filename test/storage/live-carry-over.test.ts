import { beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TIERS, SKIP_TIERS } from '../../src/domain/tiers.js';
import { closeLiveSession, openLiveSession } from '../../src/storage/live-sessions-repo.js';
import { takeNextSubmission } from '../../src/storage/queue-moves.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { GUILD, REVIEWER, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('skips across lives on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 20, minute));
  const openQueue = async () =>
    (await listQueue(db(), GUILD, { tiers: OPEN_TIERS, limit: 100 })).entries.map((s) => ({
      id: s.id,
      tier: s.tier,
      skipAmount: s.skipAmount,
      submitterId: s.submitterId,
      grantedAt: s.tierSince.toISOString(),
    }));

  /** A live in which skips were granted, and one of them played; the rest wait. */
  async function liveWithUnplayedSkips() {
    await openLiveSession(db(), { guildId: GUILD, tiktokUsername: 'host', roomId: 'room-1', now: at(0) });
    const skip = (n: number, tier: (typeof SKIP_TIERS)[number], skipAmount: number, minute: number) =>
      seedSubmission(db(), { submitter: userId(n), tier, skipAmount, tierSince: at(minute) });
    // Seeded out of grant order, so the queue's order is the grant times', not the ids'.
    await skip(4, 'skip10', 10, 4);
    await skip(1, 'skip25', 40, 1);
    await skip(2, 'skip10', 10, 2);
    await skip(3, 'skip25', 25, 3);
    await skip(5, 'skip5', 5, 5);
    await seedSubmission(db(), { submitter: userId(6) });
    await seedSubmission(db(), { submitter: userId(7), tier: 'pending', skipAmount: 15 });
    expect((await takeNextSubmission(db(), GUILD, REVIEWER))?.skipAmount).toBe(40);
    return openQueue();
  }

  it('keeps unplayed skips in their tier and order when a live ends and the next one starts', async () => {
    const waiting = await liveWithUnplayedSkips();
    expect(waiting.map((s) => [s.skipAmount, s.submitterId])).toEqual([
      [25, userId(3)],
      [10, userId(2)],
      [10, userId(4)],
      [5, userId(5)],
      [0, userId(6)],
      [15, userId(7)],
    ]);

    await closeLiveSession(db(), GUILD, 'stream_end', at(30));
    await openLiveSession(db(), {
      guildId: GUILD,
      tiktokUsername: 'host',
      roomId: 'room-2',
      now: at(60 * 24),
    });

    expect(await openQueue()).toEqual(waiting);
    const served = [];
    for (let i = 0; i < 4; i++) served.push((await takeNextSubmission(db(), GUILD, REVIEWER))?.id);
    expect(served).toEqual(waiting.slice(0, 4).map((s) => s.id));
  });

  it('keeps them too when the next live replaces one whose end was missed', async () => {
    const waiting = await liveWithUnplayedSkips();
    const { replaced } = await openLiveSession(db(), {
      guildId: GUILD,
      tiktokUsername: 'host',
      roomId: 'room-2',
      now: at(60 * 24),
    });
    expect(replaced?.endReason).toBe('replaced');
    expect(await openQueue()).toEqual(waiting);
  });
});
