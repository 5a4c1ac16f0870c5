import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { withdrawSubmission } from '../../src/storage/queue-moves.js';
import { getSubmission, submitSong } from '../../src/storage/submissions-repo.js';
import { GUILD, OTHER_GUILD, RELAXED, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('withdrawing a song on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  const credits = () =>
    rowsOf<{ discord_user_id: string; tier: string; skip_amount: number; used_at: unknown }>(
      db(),
      sql`SELECT discord_user_id, tier, skip_amount, used_at FROM skip_credits ORDER BY id`,
    );

  it.each(['free', 'pending', 'skip10'] as const)(
    'takes the submitter’s own song out of %s into Removed, logged as withdrawn by them',
    async (tier) => {
      const id = await seedSubmission(db(), { submitter: userId(1), tier, skipAmount: 10 });
      const { submission } = await withdrawSubmission(db(), GUILD, id, userId(1));
      expect(submission).toMatchObject({ tier: 'removed', removedBy: userId(1) });
      const [entry] = await listAudit(db(), GUILD);
      expect(entry).toMatchObject({
        action: 'withdraw',
        actorId: userId(1),
        targetUserId: userId(1),
        submissionId: id,
        details: { from: tier },
      });
    },
  );

  it('keeps a paid skip’s credit, as a removal does, and the next song uses it', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1), tier: 'skip20', skipAmount: 20 });
    const { creditTier } = await withdrawSubmission(db(), GUILD, id, userId(1));
    expect(creditTier).toBe('skip20');
    expect(await credits()).toEqual([
      { discord_user_id: userId(1), tier: 'skip20', skip_amount: 20, used_at: null },
    ]);
    const { submission, usedCredit } = await submitSong(
      db(),
      {
        guildId: GUILD,
        submitterId: userId(1),
        artist: 'A',
        title: 'B',
        link: { url: 'https://youtu.be/x', platform: 'youtube' },
        source: 'command',
      },
      RELAXED,
    );
    expect(usedCredit).toBe(true);
    expect(submission.tier).toBe('skip20');
  });

  it('leaves no credit for a Free song', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1) });
    expect((await withdrawSubmission(db(), GUILD, id, userId(1))).creditTier).toBeNull();
    expect(await credits()).toEqual([]);
  });

  it('answers someone else’s song, an unknown id and another server’s song alike, and changes nothing', async () => {
    const theirs = await seedSubmission(db(), { submitter: userId(2), tier: 'skip5', skipAmount: 5 });
    const elsewhere = await seedSubmission(db(), { guildId: OTHER_GUILD, submitter: userId(1) });
    for (const id of [theirs, elsewhere, 999_999]) {
      await expect(withdrawSubmission(db(), GUILD, id, userId(1))).rejects.toMatchObject({
        code: 'not_found',
        message: `You have no song with id ${id} in this server's queue.`,
      });
    }
    expect((await getSubmission(db(), GUILD, theirs)).tier).toBe('skip5');
    expect(await listAudit(db(), GUILD)).toEqual([]);
    expect(await credits()).toEqual([]);
  });

  it('refuses a song already played (under review) or already removed, and changes nothing', async () => {
    const played = await seedSubmission(db(), { submitter: userId(1), tier: 'played' });
    const removed = await seedSubmission(db(), { submitter: userId(1), tier: 'removed' });
    await expect(withdrawSubmission(db(), GUILD, played, userId(1))).rejects.toMatchObject({
      code: 'illegal_move',
      message: 'This song has already been played, so it can no longer be withdrawn.',
    });
    await expect(withdrawSubmission(db(), GUILD, removed, userId(1))).rejects.toMatchObject({
      code: 'illegal_move',
    });
    expect((await getSubmission(db(), GUILD, played)).tier).toBe('played');
    expect(await listAudit(db(), GUILD)).toEqual([]);
  });
});
