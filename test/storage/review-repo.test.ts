import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import {
  getPreferences,
  removeFromReview,
  setPreferences,
  takeNextForReview,
} from '../../src/storage/review-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { GUILD, OTHER_GUILD, REVIEWER, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('review storage on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  it('preferences default to no next-in-line DM, a mention and a score DM, per guild, and a change keeps the others', async () => {
    expect(await getPreferences(db(), GUILD, userId(1))).toEqual({
      notifyWhenNext: false,
      mentionWhenReviewed: true,
      notifyWhenRated: true,
    });
    await setPreferences(db(), GUILD, userId(1), { notifyWhenNext: true });
    await setPreferences(db(), GUILD, userId(1), { notifyWhenRated: false });
    expect(await setPreferences(db(), GUILD, userId(1), { mentionWhenReviewed: false })).toEqual({
      notifyWhenNext: true,
      mentionWhenReviewed: false,
      notifyWhenRated: false,
    });
    expect(await getPreferences(db(), OTHER_GUILD, userId(1))).toEqual({
      notifyWhenNext: false,
      mentionWhenReviewed: true,
      notifyWhenRated: true,
    });
  });

  it('a take says which tier the song was served from and is in the audit log', async () => {
    await seedSubmission(db(), { submitter: userId(1) });
    const skip = await seedSubmission(db(), { submitter: userId(2), tier: 'skip15', skipAmount: 15 });
    const taken = await takeNextForReview(db(), GUILD, REVIEWER);
    expect(taken).toMatchObject({ id: skip, tier: 'played', servedFrom: 'skip15' });
    const [entry] = await listAudit(db(), GUILD);
    expect(entry).toMatchObject({
      action: 'take',
      actorId: REVIEWER,
      submissionId: skip,
      details: { from: 'skip15' },
    });
  });

  it('an empty queue takes nothing and logs nothing', async () => {
    await seedSubmission(db(), { tier: 'pending' });
    expect(await takeNextForReview(db(), GUILD, REVIEWER)).toBeNull();
    expect(await listAudit(db(), GUILD)).toEqual([]);
  });

  it('removing a just-played song moves it from Songs Played to Removed', async () => {
    const id = await seedSubmission(db(), { tier: 'skip10', skipAmount: 10 });
    await takeNextForReview(db(), GUILD, REVIEWER);
    expect((await removeFromReview(db(), GUILD, id, REVIEWER)).tier).toBe('removed');
    expect((await getSubmission(db(), GUILD, id)).tier).toBe('removed');
    const actions = (await listAudit(db(), GUILD)).map((e) => e.action);
    expect(actions).toEqual(['remove', 'restore', 'take']);
  });

  it('removing a waiting skip leaves the usual credit', async () => {
    const id = await seedSubmission(db(), { tier: 'skip10', skipAmount: 10 });
    await removeFromReview(db(), GUILD, id, REVIEWER);
    const credits = await rowsOf<{ tier: string }>(db(), sql`SELECT tier FROM skip_credits`);
    expect(credits).toEqual([{ tier: 'skip10' }]);
  });

  it('removing an already removed song is refused and changes nothing', async () => {
    const id = await seedSubmission(db(), { tier: 'removed' });
    await expect(removeFromReview(db(), GUILD, id, REVIEWER)).rejects.toMatchObject({ code: 'illegal_move' });
    expect(await listAudit(db(), GUILD)).toEqual([]);
  });
});
