import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/domain/errors.js';
import { DEFAULT_GUILD_SETTINGS } from '../../src/domain/guild-settings.js';
import { sortQueue } from '../../src/domain/ordering.js';
import { OPEN_TIERS, TIERS, type Tier } from '../../src/domain/tiers.js';
import { rowsOf } from '../../src/storage/connect.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import {
  confirmSkip,
  moveSubmission,
  peekNextSubmission,
  rejectSkip,
  removeSubmission,
  requestSkip,
  restoreSubmission,
  resubmitFromHistory,
  takeNextSubmission,
} from '../../src/storage/queue-moves.js';
import { getSubmission, listQueue, submitSong, userPositions } from '../../src/storage/submissions-repo.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import {
  GUILD,
  linkTikTok,
  OTHER_GUILD,
  RELAXED,
  REVIEWER,
  seedSubmission,
  setDiscordPoints,
  userId,
} from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('queue storage on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  async function expectUserError(promise: Promise<unknown>, code: string) {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe(code);
  }

  describe('submitting', () => {
    const song = (user: string, url = 'https://soundcloud.com/a/b') => ({
      guildId: GUILD,
      submitterId: user,
      artist: 'Artist',
      title: 'Title',
      link: { url, platform: 'soundcloud' },
      source: 'command' as const,
    });

    it('queues a song in Free with the submitter score (Discord + linked TikTok points)', async () => {
      await setDiscordPoints(db(), GUILD, userId(1), 40);
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 2 });
      const { submission } = await submitSong(db(), song(userId(1)), DEFAULT_GUILD_SETTINGS);
      expect(submission.tier).toBe('free');
      expect(submission.score).toBe(42);
    });

    it('refuses a second open submission by default and stores nothing', async () => {
      await submitSong(db(), song(userId(1)), DEFAULT_GUILD_SETTINGS);
      await expectUserError(
        submitSong(db(), song(userId(1), 'https://soundcloud.com/a/c'), DEFAULT_GUILD_SETTINGS),
        'open_submission_exists',
      );
      expect((await listQueue(db(), GUILD, { tiers: OPEN_TIERS })).total).toBe(1);
    });

    it('refuses a link that is already queued, even from another user', async () => {
      await submitSong(db(), song(userId(1)), DEFAULT_GUILD_SETTINGS);
      await expectUserError(submitSong(db(), song(userId(2)), DEFAULT_GUILD_SETTINGS), 'duplicate_link');
    });

    it('allows the same link in another guild', async () => {
      await submitSong(db(), song(userId(1)), DEFAULT_GUILD_SETTINGS);
      const { submission } = await submitSong(
        db(),
        { ...song(userId(1)), guildId: OTHER_GUILD },
        DEFAULT_GUILD_SETTINGS,
      );
      expect(submission.guildId).toBe(OTHER_GUILD);
    });

    it('enforces the cooldown between submissions of one user', async () => {
      const settings = {
        ...DEFAULT_GUILD_SETTINGS,
        submissionRules: { maxOpenPerUser: 5, cooldownSeconds: 60, allowDuplicateLinks: false },
      };
      const t0 = new Date('2026-11-24T12:00:00Z');
      await submitSong(db(), song(userId(1)), settings, t0);
      await expectUserError(
        submitSong(
          db(),
          song(userId(1), 'https://soundcloud.com/a/c'),
          settings,
          new Date(t0.getTime() + 30_000),
        ),
        'cooldown',
      );
      const later = await submitSong(
        db(),
        song(userId(1), 'https://soundcloud.com/a/c'),
        settings,
        new Date(t0.getTime() + 61_000),
      );
      expect(later.submission.id).toBeGreaterThan(0);
    });

    it('lets only one of two simultaneous submissions by the same user through', async () => {
      const results = await Promise.allSettled([
        submitSong(db(), song(userId(1), 'https://soundcloud.com/a/1'), DEFAULT_GUILD_SETTINGS),
        submitSong(db(), song(userId(1), 'https://soundcloud.com/a/2'), DEFAULT_GUILD_SETTINGS),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await listQueue(db(), GUILD, { tiers: OPEN_TIERS })).total).toBe(1);
    });
  });

  describe('ordering', () => {
    it('lists open tiers exactly in the order the domain defines', async () => {
      const base = Date.parse('2026-11-24T10:00:00Z');
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              tier: fc.constantFrom<Tier>(...OPEN_TIERS),
              skipAmount: fc.integer({ min: 5, max: 60 }),
              score: fc.integer({ min: 0, max: 5 }),
              submittedMinute: fc.integer({ min: 0, max: 5 }),
              tierMinute: fc.integer({ min: 0, max: 5 }),
            }),
            { minLength: 1, maxLength: 25 },
          ),
          async (specs) => {
            await database.reset();
            for (const [i, s] of specs.entries()) {
              await seedSubmission(db(), {
                submitter: userId(i),
                tier: s.tier,
                skipAmount: s.skipAmount,
                score: s.score,
                submittedAt: new Date(base + s.submittedMinute * 60_000),
                tierSince: new Date(base + s.tierMinute * 60_000),
              });
            }
            const page = await listQueue(db(), GUILD, { tiers: OPEN_TIERS, limit: 100 });
            const expected = sortQueue(page.entries).map((e) => e.id);
            expect(page.entries.map((e) => e.id)).toEqual(expected);
            // A page anywhere, and each user's place in line, agree with the whole listing.
            const offset = specs.length % 7;
            const slice = await listQueue(db(), GUILD, { tiers: OPEN_TIERS, offset, limit: 4 });
            expect(slice.entries.map((e) => e.id)).toEqual(expected.slice(offset, offset + 4));
            const serving = page.entries.filter((e) => e.tier !== 'pending');
            for (const [i, e] of serving.entries()) {
              expect((await userPositions(db(), GUILD, e.submitterId))[0]?.position).toBe(i + 1);
            }
          },
        ),
        { numRuns: kind === 'pglite' ? 15 : 25 },
      );
    });

    it('takes skips before Free, 25+ by amount, Free by score, and never serves Pending', async () => {
      const pending = await seedSubmission(db(), { submitter: userId(1), tier: 'pending', skipAmount: 25 });
      const freeLow = await seedSubmission(db(), { submitter: userId(2), score: 1 });
      const freeHigh = await seedSubmission(db(), { submitter: userId(3), score: 50 });
      const skip5 = await seedSubmission(db(), { submitter: userId(4), tier: 'skip5', skipAmount: 5 });
      const skip25small = await seedSubmission(db(), {
        submitter: userId(5),
        tier: 'skip25',
        skipAmount: 25,
      });
      const skip25big = await seedSubmission(db(), { submitter: userId(6), tier: 'skip25', skipAmount: 40 });
      const taken: number[] = [];
      for (
        let s = await takeNextSubmission(db(), GUILD, REVIEWER);
        s;
        s = await takeNextSubmission(db(), GUILD, REVIEWER)
      ) {
        expect(s.tier).toBe('played');
        expect(s.playedBy).toBe(REVIEWER);
        taken.push(s.id);
      }
      expect(taken).toEqual([skip25big, skip25small, skip5, freeHigh, freeLow]);
      expect((await getSubmission(db(), GUILD, pending)).tier).toBe('pending');
    });

    it('resets the submitter points (Discord and linked TikTok) when their song is played', async () => {
      await setDiscordPoints(db(), GUILD, userId(1), 30);
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 12 });
      await setDiscordPoints(db(), GUILD, userId(2), 5);
      await seedSubmission(db(), { submitter: userId(1), score: 42 });
      await takeNextSubmission(db(), GUILD, REVIEWER);
      const [row] = await rowsOf<{ d: number; t: number; other: number }>(
        db(),
        sql`SELECT (SELECT points FROM user_points WHERE discord_user_id = ${userId(1)}) AS d,
                   (SELECT points FROM tiktok_accounts WHERE tiktok_user_id = '7001') AS t,
                   (SELECT points FROM user_points WHERE discord_user_id = ${userId(2)}) AS other`,
      );
      expect(row).toEqual({ d: 0, t: 0, other: 5 });
    });

    it('returns null when only Pending, Played and Removed remain', async () => {
      await seedSubmission(db(), { tier: 'pending' });
      await seedSubmission(db(), { submitter: userId(2), tier: 'played' });
      expect(await takeNextSubmission(db(), GUILD, REVIEWER)).toBeNull();
      expect(await peekNextSubmission(db(), GUILD)).toBeNull();
    });

    it('tells a user their place in line among the serving tiers', async () => {
      await seedSubmission(db(), { submitter: userId(1), tier: 'skip10', skipAmount: 10 });
      await seedSubmission(db(), { submitter: userId(2), score: 9 });
      await seedSubmission(db(), { submitter: userId(3), score: 3 });
      await seedSubmission(db(), { submitter: userId(4), tier: 'pending' });
      expect((await userPositions(db(), GUILD, userId(3))).map((p) => p.position)).toEqual([3]);
      expect((await userPositions(db(), GUILD, userId(4))).map((p) => p.position)).toEqual([null]);
      expect(await userPositions(db(), GUILD, userId(9))).toEqual([]);
    });
  });

  describe('moves', () => {
    it('moves an open song between tiers and records who did it', async () => {
      const id = await seedSubmission(db());
      const moved = await moveSubmission(db(), GUILD, id, 'skip15', REVIEWER, { reason: 'paid on stream' });
      expect(moved.tier).toBe('skip15');
      expect(moved.skipAmount).toBe(15);
      const [entry] = await listAudit(db(), GUILD);
      expect(entry).toMatchObject({
        action: 'move',
        actorId: REVIEWER,
        submissionId: id,
        reason: 'paid on stream',
      });
    });

    it('refuses an illegal move with a typed error and changes nothing', async () => {
      const id = await seedSubmission(db(), { tier: 'played' });
      await expectUserError(moveSubmission(db(), GUILD, id, 'skip10', REVIEWER), 'illegal_move');
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('played');
      expect(await listAudit(db(), GUILD)).toEqual([]);
    });

    it('does not find a submission of another guild', async () => {
      const id = await seedSubmission(db(), { guildId: OTHER_GUILD });
      await expectUserError(moveSubmission(db(), GUILD, id, 'skip10', REVIEWER), 'not_found');
    });

    it('restores a played song to Free', async () => {
      const id = await seedSubmission(db(), { tier: 'played' });
      const restored = await restoreSubmission(db(), GUILD, id, REVIEWER);
      expect(restored.tier).toBe('free');
      expect(restored.playedAt).toBeNull();
    });

    it('leaves a skip credit when a paid skip is removed unplayed, applied to the next submission', async () => {
      const id = await seedSubmission(db(), { tier: 'skip20', skipAmount: 20 });
      const { creditTier } = await removeSubmission(db(), GUILD, id, REVIEWER);
      expect(creditTier).toBe('skip20');
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
      const again = await submitSong(
        db(),
        {
          guildId: GUILD,
          submitterId: userId(1),
          artist: 'A',
          title: 'C',
          link: { url: 'https://youtu.be/y', platform: 'youtube' },
          source: 'command',
        },
        RELAXED,
      );
      expect(again.usedCredit).toBe(false);
      expect(again.submission.tier).toBe('free');
    });

    it('removes without credit only with a reason', async () => {
      const id = await seedSubmission(db(), { tier: 'skip10', skipAmount: 10 });
      await expectUserError(
        removeSubmission(db(), GUILD, id, REVIEWER, { withoutCredit: true }),
        'invalid_amount',
      );
      const { creditTier } = await removeSubmission(db(), GUILD, id, REVIEWER, {
        withoutCredit: true,
        reason: 'chargeback',
      });
      expect(creditTier).toBeNull();
      const [n] = await rowsOf<{ n: number }>(db(), sql`SELECT count(*) AS n FROM skip_credits`);
      expect(n?.n).toBe(0);
    });

    it('turns a skip request into Pending, then confirms it into the tier for its amount', async () => {
      const id = await seedSubmission(db());
      const pending = await requestSkip(db(), GUILD, userId(1), 12);
      expect(pending).toMatchObject({ id, tier: 'pending', requestedSkipAmount: 12 });
      const confirmed = await confirmSkip(db(), GUILD, id, REVIEWER);
      expect(confirmed).toMatchObject({ tier: 'skip10', skipAmount: 12, requestedSkipAmount: null });
    });

    it('rejects a pending skip back to Free', async () => {
      const id = await seedSubmission(db());
      await requestSkip(db(), GUILD, userId(1), 30);
      const rejected = await rejectSkip(db(), GUILD, id, REVIEWER, { reason: 'no payment' });
      expect(rejected.tier).toBe('free');
      await expectUserError(confirmSkip(db(), GUILD, id, REVIEWER), 'illegal_move');
    });

    it('refuses a skip request below 5 or without an open Free song', async () => {
      await expectUserError(requestSkip(db(), GUILD, userId(1), 10), 'no_open_submission');
      await seedSubmission(db());
      await expectUserError(requestSkip(db(), GUILD, userId(1), 4), 'skip_amount_too_low');
    });

    it('submits a played song again from history, under the normal rules', async () => {
      const id = await seedSubmission(db(), { tier: 'played' });
      const again = await resubmitFromHistory(db(), GUILD, userId(1), id, RELAXED);
      expect(again).toMatchObject({ tier: 'free', resubmittedFrom: id, source: 'resubmit' });
      await expectUserError(resubmitFromHistory(db(), GUILD, userId(2), id, RELAXED), 'not_found');
      await expectUserError(resubmitFromHistory(db(), GUILD, userId(1), again.id, RELAXED), 'illegal_move');
    });
  });

  describe('score sync', () => {
    it('updates every open Free score in one statement and nothing else', async () => {
      const free = await seedSubmission(db(), { submitter: userId(1) });
      const skip = await seedSubmission(db(), { submitter: userId(2), tier: 'skip5', skipAmount: 5 });
      const played = await seedSubmission(db(), { submitter: userId(3), tier: 'played' });
      for (const u of [1, 2, 3]) await setDiscordPoints(db(), GUILD, userId(u), 10 * u);
      await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 5 });
      expect(await syncFreeScores(db(), GUILD)).toBe(1);
      expect(await userPositions(db(), GUILD, userId(1))).toMatchObject([
        { id: free, score: 15, position: 2 },
      ]);
      expect((await getSubmission(db(), GUILD, skip)).score).toBe(0);
      expect((await getSubmission(db(), GUILD, played)).score).toBe(0);
      expect(await syncFreeScores(db(), GUILD)).toBe(0);
    });
  });

  it('keeps every tier name in the CHECK constraint in sync with the domain', async () => {
    for (const tier of TIERS) {
      const id = await seedSubmission(db(), { submitter: userId(100 + TIERS.indexOf(tier)), tier });
      expect((await getSubmission(db(), GUILD, id)).tier).toBe(tier);
    }
    await expect(
      db().execute(sql`UPDATE submissions SET tier = 'vip' WHERE guild_id = ${GUILD}`),
    ).rejects.toThrow();
  });
});
