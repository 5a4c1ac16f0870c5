import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rateSong } from '../../src/storage/ratings-repo.js';
import {
  bestRated,
  currentRatings,
  recentReviews,
  reviewTotals,
} from '../../src/storage/review-history-repo.js';
import { removeFromReview, takeNextForReview } from '../../src/storage/review-repo.js';
import { GUILD, OTHER_GUILD, REVIEWER, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('review history on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  /** Plays a song by `artist` and rates it; `ratedAt` back-dates the rating. */
  async function rated(
    artist: string,
    scoreTenths: number,
    options: { submitter?: string; ratedAt?: Date; guildId?: string } = {},
  ): Promise<number> {
    const guildId = options.guildId ?? GUILD;
    const id = await seedSubmission(db(), { guildId, submitter: options.submitter ?? userId(1) });
    await db().execute(sql`UPDATE submissions SET artist = ${artist} WHERE id = ${id}`);
    await takeNextForReview(db(), guildId, REVIEWER);
    await rateSong(db(), guildId, { reviewerId: REVIEWER, scoreTenths, verdict: null, correcting: false });
    if (options.ratedAt) {
      await db().execute(
        sql`UPDATE reviews SET created_at = ${options.ratedAt.toISOString()} WHERE submission_id = ${id}`,
      );
    }
    return id;
  }

  it('lists a server’s reviews newest first, a page at a time, with the total', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.push(await rated(`Artist ${i}`, 50 + i, { ratedAt: new Date(Date.UTC(2026, 11, 1, i)) }));
    await rated('Elsewhere', 90, { guildId: OTHER_GUILD });
    const first = await recentReviews(db(), GUILD, { limit: 2 });
    expect(first.total).toBe(5);
    expect(first.entries.map((e) => e.submissionId)).toEqual([ids[4], ids[3]]);
    const last = await recentReviews(db(), GUILD, { limit: 2, offset: 4 });
    expect(last.entries).toMatchObject([
      { submissionId: ids[0], artist: 'Artist 0', scoreTenths: 50, reviewerId: REVIEWER },
    ]);
  });

  it('filters by part of the artist’s name in any case (a % is a character), or by submitter', async () => {
    const nova = await rated('Nova Bloom', 70, { submitter: userId(1) });
    await rated('Bloom%Party', 60, { submitter: userId(2) });
    const other = await rated('Other', 80, { submitter: userId(2) });
    expect((await recentReviews(db(), GUILD, { artist: 'nova' })).entries.map((e) => e.submissionId)).toEqual(
      [nova],
    );
    expect((await recentReviews(db(), GUILD, { artist: 'm%' })).total).toBe(1);
    expect((await recentReviews(db(), GUILD, { artist: 'BLOOM' })).total).toBe(2);
    const byOther = await recentReviews(db(), GUILD, { submitterId: userId(2) });
    expect(byOther.entries.map((e) => e.submissionId)).toContain(other);
    expect(byOther.total).toBe(2);
  });

  it('ranks the best rated highest score first, the earlier rating first among equals, within a time window', async () => {
    const early = await rated('A', 90, { ratedAt: new Date('2026-11-01T00:00:00Z') });
    const later = await rated('B', 90, { ratedAt: new Date('2026-12-05T00:00:00Z') });
    const best = await rated('C', 95, { ratedAt: new Date('2026-11-15T00:00:00Z') });
    const low = await rated('D', 10, { ratedAt: new Date('2026-12-05T01:00:00Z') });
    expect((await bestRated(db(), GUILD)).map((e) => e.submissionId)).toEqual([best, early, later, low]);
    expect(
      (await bestRated(db(), GUILD, { since: new Date('2026-12-01T00:00:00Z') })).map((e) => e.submissionId),
    ).toEqual([later, low]);
  });

  it('leaves out a rating whose song was removed since; ratings by id are the current ones', async () => {
    const kept = await rated('Kept', 40);
    const removed = await rated('Gone', 100);
    await removeFromReview(db(), GUILD, removed, REVIEWER);
    expect((await bestRated(db(), GUILD)).map((e) => e.submissionId)).toEqual([kept]);
    expect((await recentReviews(db(), GUILD)).total).toBe(1);
    const byId = await currentRatings(db(), GUILD, [kept, removed, 999_999]);
    expect([...byId.keys()]).toEqual([kept]);
  });

  it('totals a live: songs reviewed, average score to the tenth, best rated', async () => {
    const start = new Date('2026-12-06T18:00:00Z');
    await rated('Before', 100, { ratedAt: new Date('2026-12-06T17:59:59Z') });
    await rated('One', 70, { ratedAt: new Date('2026-12-06T18:10:00Z') });
    const top = await rated('Two', 85, { ratedAt: new Date('2026-12-06T18:20:00Z') });
    await rated('Three', 80, { ratedAt: new Date('2026-12-06T18:30:00Z') });
    const totals = await reviewTotals(db(), GUILD, start, new Date('2026-12-06T20:00:00Z'));
    expect(totals).toMatchObject({
      reviewed: 3,
      averageTenths: 78,
      best: { submissionId: top, artist: 'Two' },
    });
    expect(await reviewTotals(db(), OTHER_GUILD, start, new Date())).toEqual({
      reviewed: 0,
      averageTenths: null,
      best: null,
    });
  });
});
