import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { removeSubmission } from '../../src/storage/queue-moves.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import { getSubmission, listQueue } from '../../src/storage/submissions-repo.js';
import { recordReviewPost, undoTake } from '../../src/storage/take-records-repo.js';
import {
  GUILD,
  linkTikTok,
  OTHER_GUILD,
  REVIEWER,
  seedSubmission,
  setDiscordPoints,
  userId,
} from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('undoing a take on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  const queueIds = async () =>
    (await listQueue(db(), GUILD, { tiers: OPEN_TIERS, limit: 100 })).entries.map((e) => [e.id, e.tier]);
  const points = async (user: string, tiktokId: string) => {
    const [row] = await rowsOf<{ d: number | null; t: number | null }>(
      db(),
      sql`SELECT (SELECT points FROM user_points WHERE guild_id = ${GUILD} AND discord_user_id = ${user}) AS d,
                 (SELECT points FROM tiktok_accounts WHERE guild_id = ${GUILD} AND tiktok_user_id = ${tiktokId}) AS t`,
    );
    return row;
  };
  const undo = (options: { submissionId?: number; now?: Date; windowMinutes?: number } = {}) =>
    undoTake(db(), GUILD, { actorId: REVIEWER, windowMinutes: 2, ...options });

  it('puts a skip back in its tier at its place, gives back the reset points and logs both', async () => {
    const early = new Date('2026-12-06T10:00:00Z');
    const first = await seedSubmission(db(), {
      submitter: userId(1),
      tier: 'skip10',
      skipAmount: 10,
      tierSince: early,
    });
    await seedSubmission(db(), { submitter: userId(2), tier: 'skip10', skipAmount: 10 });
    await seedSubmission(db(), { submitter: userId(3), score: 50 });
    await setDiscordPoints(db(), GUILD, userId(1), 30);
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 12 });
    const before = await queueIds();

    expect((await takeNextForReview(db(), GUILD, REVIEWER))?.id).toBe(first);
    expect(await points(userId(1), '7001')).toEqual({ d: 0, t: 0 });
    const result = await undo();

    expect(result.submission).toMatchObject({ id: first, tier: 'skip10', playedAt: null, playedBy: null });
    expect(result.points).toBe(42);
    expect((await getSubmission(db(), GUILD, first)).tierSince).toEqual(early);
    expect(await queueIds()).toEqual(before);
    expect(await points(userId(1), '7001')).toEqual({ d: 30, t: 12 });
    const audit = await listAudit(db(), GUILD);
    expect(audit.map((e) => [e.action, e.actorId, e.submissionId])).toEqual([
      ['undo_take', REVIEWER, first],
      ['take', REVIEWER, first],
    ]);
    expect(audit[0]?.details).toEqual({ to: 'skip10', points: 42 });
  });

  it('puts a Free song back at its place among Free, which a score sync keeps', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 90);
    await setDiscordPoints(db(), GUILD, userId(2), 60);
    await setDiscordPoints(db(), GUILD, userId(3), 30);
    const top = await seedSubmission(db(), { submitter: userId(1), score: 90 });
    await seedSubmission(db(), { submitter: userId(2), score: 60 });
    await seedSubmission(db(), { submitter: userId(3), score: 30 });
    const before = await queueIds();

    expect((await takeNextForReview(db(), GUILD, REVIEWER))?.id).toBe(top);
    await undo({ submissionId: top });

    expect(await queueIds()).toEqual(before);
    await syncFreeScores(db(), GUILD);
    expect(await queueIds()).toEqual(before);
    expect((await takeNextForReview(db(), GUILD, REVIEWER))?.id).toBe(top);
  });

  it('adds the points back to what the submitter earned since the take', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 30);
    await seedSubmission(db(), { submitter: userId(1) });
    await takeNextForReview(db(), GUILD, REVIEWER);
    await setDiscordPoints(db(), GUILD, userId(1), 5);
    await undo();
    expect((await points(userId(1), 'none'))?.d).toBe(35);
  });

  it('is refused after the window, and changes nothing', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 30);
    const id = await seedSubmission(db(), { submitter: userId(1), tier: 'skip5', skipAmount: 5 });
    const taken = await takeNextForReview(db(), GUILD, REVIEWER);
    const late = new Date((taken?.playedAt as Date).getTime() + 2 * 60_000 + 1);
    await expect(undo({ now: late })).rejects.toMatchObject({
      code: 'illegal_move',
      message: `A review can only be undone within 2 minutes of taking the song. /restore id ${id} still puts it back in Free.`,
    });
    expect((await getSubmission(db(), GUILD, id)).tier).toBe('played');
    expect((await points(userId(1), 'none'))?.d).toBe(0);
    expect((await listAudit(db(), GUILD)).map((e) => e.action)).toEqual(['take']);
  });

  it('is refused once the song has changed state, or a second time', async () => {
    const removed = await seedSubmission(db(), { submitter: userId(1), tier: 'skip5', skipAmount: 5 });
    await takeNextForReview(db(), GUILD, REVIEWER);
    await db().execute(sql`UPDATE submissions SET tier = 'removed' WHERE id = ${removed}`);
    await expect(undo({ submissionId: removed })).rejects.toMatchObject({ code: 'illegal_move' });

    const again = await seedSubmission(db(), { submitter: userId(2) });
    await takeNextForReview(db(), GUILD, REVIEWER);
    await undo({ submissionId: again });
    await expect(undo({ submissionId: again })).rejects.toMatchObject({
      message: `The review of song id ${again} was already undone.`,
    });
    expect((await getSubmission(db(), GUILD, again)).tier).toBe('free');
  });

  it('without an id undoes the server’s latest take, and knows nothing of other servers', async () => {
    const older = await seedSubmission(db(), { submitter: userId(1), tier: 'skip10', skipAmount: 10 });
    const newer = await seedSubmission(db(), { submitter: userId(2) });
    await seedSubmission(db(), { guildId: OTHER_GUILD, submitter: userId(3) });
    await takeNextForReview(db(), GUILD, REVIEWER);
    await takeNextForReview(db(), GUILD, REVIEWER);
    expect((await undo()).submission.id).toBe(newer);
    expect((await undo()).submission.id).toBe(older);
    await expect(undoTake(db(), OTHER_GUILD, { actorId: REVIEWER, windowMinutes: 2 })).rejects.toMatchObject({
      code: 'not_found',
      message: 'There is no review to undo in this server.',
    });
  });

  it('remembers the "Now reviewing" post of the take, and a new take of the song forgets it', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1) });
    await takeNextForReview(db(), GUILD, REVIEWER);
    await recordReviewPost(db(), GUILD, id, { channelId: '1', messageId: '2' });
    expect((await undo()).post).toEqual({ channelId: '1', messageId: '2' });
    await takeNextForReview(db(), GUILD, REVIEWER);
    expect((await undo()).post).toBeNull();
  });

  it('a removal of a song played and restored is not mistaken for its take', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1) });
    await takeNextForReview(db(), GUILD, REVIEWER);
    await db().execute(sql`UPDATE submissions SET tier = 'free', played_at = NULL WHERE id = ${id}`);
    await removeSubmission(db(), GUILD, id, REVIEWER);
    await expect(undo()).rejects.toMatchObject({ code: 'illegal_move' });
  });
});
