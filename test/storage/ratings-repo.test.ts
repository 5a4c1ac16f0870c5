import { beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { currentRating, rateSong } from '../../src/storage/ratings-repo.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { recordReviewPost, undoTake } from '../../src/storage/take-records-repo.js';
import { GUILD, OTHER_GUILD, REVIEWER, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const OTHER_REVIEWER = userId(900);

describe.each(DRIVER_KINDS)('ratings on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  const rate = (
    scoreTenths: number,
    extra: { submissionId?: number; correcting?: boolean; by?: string } = {},
  ) =>
    rateSong(db(), GUILD, {
      reviewerId: extra.by ?? REVIEWER,
      scoreTenths,
      verdict: extra.correcting ? 'second thoughts' : 'tight mix',
      correcting: extra.correcting ?? false,
      ...(extra.submissionId !== undefined ? { submissionId: extra.submissionId } : {}),
    });

  it('rates the song under review and logs the rating with its score and verdict', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1) });
    await takeNextForReview(db(), GUILD, REVIEWER);
    const result = await rate(85);
    expect(result).toMatchObject({
      song: { id, submitterId: userId(1) },
      rating: { submissionId: id, reviewerId: REVIEWER, scoreTenths: 85, verdict: 'tight mix' },
      previousTenths: null,
      post: null,
    });
    expect(await currentRating(db(), GUILD, id)).toMatchObject({ scoreTenths: 85 });
    const [entry] = await listAudit(db(), GUILD);
    expect(entry).toMatchObject({
      action: 'rate',
      actorId: REVIEWER,
      targetUserId: userId(1),
      submissionId: id,
      reason: 'tight mix',
      details: { score: '8.5' },
    });
  });

  it('a second rating is refused and changes nothing; a correction updates it, keeps when it was first rated, and is logged', async () => {
    const id = await seedSubmission(db());
    await takeNextForReview(db(), GUILD, REVIEWER);
    const first = await rate(70);
    await expect(rate(90, { by: OTHER_REVIEWER })).rejects.toMatchObject({ code: 'illegal_move' });
    expect(await currentRating(db(), GUILD, id)).toMatchObject({ scoreTenths: 70, reviewerId: REVIEWER });
    const corrected = await rate(75, { correcting: true, by: OTHER_REVIEWER });
    expect(corrected.previousTenths).toBe(70);
    expect(corrected.rating).toMatchObject({
      scoreTenths: 75,
      verdict: 'second thoughts',
      reviewerId: OTHER_REVIEWER,
    });
    expect(corrected.rating.createdAt).toEqual(first.rating.createdAt);
    const [entry] = await listAudit(db(), GUILD);
    expect(entry).toMatchObject({ action: 'correct_rating', details: { score: '7.5', previous: '7' } });
  });

  it('with nothing under review, rating is refused; an earlier song can be corrected but not rated', async () => {
    await expect(rate(50)).rejects.toMatchObject({ code: 'not_found', message: /No song is under review/ });
    const earlier = await seedSubmission(db());
    const unrated = await seedSubmission(db());
    await seedSubmission(db());
    await takeNextForReview(db(), GUILD, REVIEWER);
    await rate(60);
    await takeNextForReview(db(), GUILD, REVIEWER);
    await takeNextForReview(db(), GUILD, REVIEWER);
    await expect(rate(50, { submissionId: unrated })).rejects.toMatchObject({
      message: /is not under review/,
    });
    expect((await rate(65, { submissionId: earlier, correcting: true })).rating.scoreTenths).toBe(65);
  });

  it('a rating of a take since undone no longer counts: the song is rated afresh when taken again', async () => {
    const id = await seedSubmission(db());
    await takeNextForReview(db(), GUILD, REVIEWER);
    await rate(30);
    await undoTake(db(), GUILD, { actorId: REVIEWER, windowMinutes: 10 });
    expect(await currentRating(db(), GUILD, id)).toBeNull();
    await expect(rate(40, { submissionId: id, correcting: true })).rejects.toMatchObject({
      message: /no rating to correct/,
    });
    await takeNextForReview(db(), GUILD, REVIEWER);
    const again = await rate(90);
    expect(again.previousTenths).toBeNull();
    expect(await currentRating(db(), GUILD, id)).toMatchObject({ scoreTenths: 90 });
  });

  it("returns the take's Now reviewing post, so the rating can edit it", async () => {
    const id = await seedSubmission(db());
    await takeNextForReview(db(), GUILD, REVIEWER);
    await recordReviewPost(db(), GUILD, id, { channelId: '500', messageId: '600' });
    expect((await rate(80)).post).toEqual({ channelId: '500', messageId: '600' });
  });

  it('two reviewers rating at the same moment: one rating stands, the other is told it is already rated', async () => {
    const id = await seedSubmission(db());
    await takeNextForReview(db(), GUILD, REVIEWER);
    const results = await Promise.allSettled([rate(20), rate(95, { by: OTHER_REVIEWER })]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ message: /already rated/ });
    expect((await listAudit(db(), GUILD)).filter((e) => e.action === 'rate')).toHaveLength(1);
    expect((await currentRating(db(), GUILD, id))?.scoreTenths).toBe(
      fulfilled[0]?.status === 'fulfilled' ? fulfilled[0].value.rating.scoreTenths : -1,
    );
  });

  it('another server cannot rate, or see, this server’s song', async () => {
    const id = await seedSubmission(db());
    await takeNextForReview(db(), GUILD, REVIEWER);
    await expect(
      rateSong(db(), OTHER_GUILD, {
        submissionId: id,
        reviewerId: REVIEWER,
        scoreTenths: 10,
        verdict: null,
        correcting: false,
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await currentRating(db(), OTHER_GUILD, id)).toBeNull();
  });
});
