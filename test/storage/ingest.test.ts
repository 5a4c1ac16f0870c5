import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { convertWithCarry } from '../../src/domain/coins.js';
import { DEFAULT_GUILD_SETTINGS, type GuildSettings } from '../../src/domain/guild-settings.js';
import { giftPoints } from '../../src/domain/points.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { applyGiftSkipClaims } from '../../src/storage/gift-skip-claims-repo.js';
import {
  recordIngestBatch,
  type InteractionRecord,
  type SeenAccount,
  type StreakCredit,
} from '../../src/storage/ingest-repo.js';
import { createLinkRequest } from '../../src/storage/link-requests-repo.js';
import { closeLiveSession, openLiveSession } from '../../src/storage/live-sessions-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { GUILD, linkTikTok, seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const T0 = new Date('2026-11-24T20:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const FAN = { tiktokUserId: '6800000000000000001', handle: 'fan.one', nickname: 'Fan' };

let nextMsg = 7_450_000_000_000_000_000n;
const msgId = () => String(++nextMsg);

function like(count: number, user = FAN, when = T0): InteractionRecord {
  return {
    msgId: msgId(),
    kind: 'like',
    tiktokUserId: user.tiktokUserId,
    amount: count,
    points: count,
    giftValue: 0,
    payload: {},
    occurredAt: when,
  };
}

function gift(value: number, user = FAN, when = T0): InteractionRecord {
  return {
    msgId: msgId(),
    kind: 'gift',
    tiktokUserId: user.tiktokUserId,
    amount: value,
    points: giftPoints(value, DEFAULT_GUILD_SETTINGS.points),
    giftValue: value,
    payload: { streakable: false },
    occurredAt: when,
  };
}

function comment(text: string, user = FAN, when = T0): InteractionRecord {
  return {
    msgId: msgId(),
    kind: 'comment',
    tiktokUserId: user.tiktokUserId,
    amount: 1,
    points: 1,
    giftValue: 0,
    payload: { text, handle: user.handle },
    occurredAt: when,
  };
}

const seen = (user = FAN, when = T0): SeenAccount => ({ ...user, at: when });

describe.each(DRIVER_KINDS)('TikTok ingestion storage on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  async function openSession(roomId = '7450000000000000001') {
    return (await openLiveSession(db(), { guildId: GUILD, tiktokUsername: 'streamer', roomId, now: T0 }))
      .session;
  }

  function record(
    interactions: InteractionRecord[],
    options: {
      sessionId?: number | null;
      streaks?: StreakCredit[];
      settings?: GuildSettings;
      accounts?: SeenAccount[];
    } = {},
  ) {
    return recordIngestBatch(db(), {
      guildId: GUILD,
      sessionId: options.sessionId ?? null,
      interactions,
      accounts: options.accounts ?? [seen()],
      streaks: options.streaks ?? [],
      settings: options.settings ?? DEFAULT_GUILD_SETTINGS,
      now: T0,
    });
  }

  async function account(id = FAN.tiktokUserId) {
    const [row] = await rowsOf<{
      handle: string;
      points: number;
      coins: number;
      tiktok_coins_gifted: number;
      gift_coin_carry: number;
      watch_minutes: number;
    }>(
      db(),
      sql`SELECT handle, points, coins, tiktok_coins_gifted, gift_coin_carry, watch_minutes FROM tiktok_accounts
          WHERE guild_id = ${GUILD} AND tiktok_user_id = ${id}`,
    );
    return row;
  }

  it('records each message once and credits only the messages it inserted', async () => {
    const batch = [like(3), like(4), gift(150)];
    const first = await record(batch);
    expect(first.recorded).toHaveLength(3);
    const afterFirst = await account();
    expect(afterFirst).toMatchObject({
      points: 7 + 300,
      tiktok_coins_gifted: 150,
      coins: 3,
      gift_coin_carry: 0,
    });

    const replay = await record([...batch, like(5)]);
    expect(replay.recorded.map((r) => r.amount)).toEqual([5]);
    expect(await account()).toMatchObject({ points: 7 + 300 + 5, tiktok_coins_gifted: 150, coins: 3 });
    const [count] = await rowsOf<{ n: number }>(db(), sql`SELECT count(*)::int AS n FROM interactions`);
    expect(count?.n).toBe(4);
  });

  it('stores texts with NUL or a lone surrogate made storable, instead of failing their batch for ever', async () => {
    // PostgreSQL text and jsonb hold neither; TikTok and a relay can send both.
    const user = { tiktokUserId: '6800000000000000002', handle: 'nul\u0000fan', nickname: 'N\u0000\ud83d' };
    const result = await record([comment('hi\u0000there', user), like(2, user)], { accounts: [seen(user)] });
    expect(result.recorded).toHaveLength(2);
    const [row] = await rowsOf<{ text: string; handle: string; nickname: string }>(
      db(),
      sql`SELECT i.payload->>'text' AS text, a.handle, a.nickname FROM interactions i
          JOIN tiktok_accounts a ON a.guild_id = i.guild_id AND a.tiktok_user_id = i.tiktok_user_id
          WHERE i.kind = 'comment'`,
    );
    expect(row).toEqual({ text: 'hithere', handle: 'nulfan', nickname: 'N\ufffd' });
    expect((await account(user.tiktokUserId))?.points).toBe(1 + 2);
  });

  it('creates an account on first sight and follows its handle changes, never rolled back by a replay', async () => {
    await record([like(1)]);
    expect((await account())?.handle).toBe('fan.one');
    await record([like(1, FAN, at(60))], { accounts: [seen({ ...FAN, handle: 'fan.renamed' }, at(60))] });
    expect((await account())?.handle).toBe('fan.renamed');
    await record([], { accounts: [seen(FAN, at(1))] });
    expect((await account())?.handle).toBe('fan.renamed');
  });

  it('converts gifted TikTok coins with the carried remainder exactly as convertWithCarry, batch after batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (batches) => {
          await database.reset();
          let expected = { coins: 0, carryUnits: 0 };
          for (const values of batches) {
            await record(values.map((v) => gift(v)));
            for (const v of values) {
              const step = convertWithCarry(v, expected.carryUnits, DEFAULT_GUILD_SETTINGS.giftCoinRate);
              expected = { coins: expected.coins + step.coins, carryUnits: step.carryUnits };
            }
          }
          const row = await account();
          expect({ coins: row?.coins, carry: row?.gift_coin_carry }).toEqual({
            coins: expected.coins,
            carry: expected.carryUnits,
          });
        },
      ),
      { numRuns: kind === 'pglite' ? 15 : 30 },
    );
  });

  describe('gift streaks', () => {
    const streak = (repeatCount: number): StreakCredit => ({
      key: `${FAN.tiktokUserId}:5655:1732476900001`,
      tiktokUserId: FAN.tiktokUserId,
      giftId: 5655,
      diamondCount: 700,
      repeatCount,
      startedAt: T0,
    });

    it('credits a streak once, as one gift of its whole value', async () => {
      const session = await openSession();
      const first = await record([], { sessionId: session.id, streaks: [streak(3)] });
      expect(first.gifts).toEqual([{ tiktokUserId: FAN.tiktokUserId, value: 2100 }]);
      await record([], { sessionId: session.id, streaks: [streak(3)] });
      // 2,100 coins as ONE gift: 999 × 2 + 1,101 × 1 (two separate gifts would price differently).
      expect(await account()).toMatchObject({ tiktok_coins_gifted: 2100, points: 999 * 2 + 1101, coins: 42 });
    });

    it('credits only the growth when a streak settled early turns out longer', async () => {
      await record([], { streaks: [streak(2)] });
      await record([], { streaks: [streak(5)] });
      await record([], { streaks: [streak(4)] });
      expect(await account()).toMatchObject({
        tiktok_coins_gifted: 3500,
        points: giftPoints(3500, DEFAULT_GUILD_SETTINGS.points),
      });
    });

    it('credits a new streak once when two batches carrying it are written at once', async () => {
      // On PostgreSQL the second writer waits on the first one's new row, then credits only the rest.
      await Promise.all([record([], { streaks: [streak(3)] }), record([], { streaks: [streak(5)] })]);
      expect(await account()).toMatchObject({
        tiktok_coins_gifted: 3500,
        points: giftPoints(3500, DEFAULT_GUILD_SETTINGS.points),
      });
      const [row] = await rowsOf<{ repeat_count: number; credited_value: number }>(
        db(),
        sql`SELECT repeat_count, credited_value FROM gift_streaks WHERE guild_id = ${GUILD}`,
      );
      expect(row).toMatchObject({ repeat_count: 5, credited_value: 3500 });
    });
  });

  describe('gift skips', () => {
    const DISCORD = userId(7);

    it('upgrades the linked member’s latest open Free submission, with an audit entry', async () => {
      await linkTikTok(db(), GUILD, DISCORD, { id: FAN.tiktokUserId, handle: FAN.handle });
      const id = await seedSubmission(db(), { submitter: DISCORD });
      const result = await record([gift(2000)]);
      expect(result.skips).toMatchObject([
        { tier: 'skip10', discordUserId: DISCORD, outcome: { kind: 'upgraded' } },
      ]);
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('skip10');
      expect((await listAudit(db(), GUILD, { limit: 5 })).map((e) => e.action)).toContain('gift_skip');
    });

    it('never downgrades a song already in a higher tier', async () => {
      await linkTikTok(db(), GUILD, DISCORD, { id: FAN.tiktokUserId, handle: FAN.handle });
      const id = await seedSubmission(db(), { submitter: DISCORD, tier: 'skip20', skipAmount: 20 });
      const result = await record([gift(1000)]);
      expect(result.skips).toMatchObject([{ tier: 'skip5', outcome: { kind: 'kept' } }]);
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('skip20');
    });

    it('gives nothing for a gift below every threshold, and nothing when auto skips are off', async () => {
      await linkTikTok(db(), GUILD, DISCORD, { id: FAN.tiktokUserId, handle: FAN.handle });
      const id = await seedSubmission(db(), { submitter: DISCORD });
      expect((await record([gift(999)])).skips).toEqual([]);
      expect(
        (await record([gift(6000)], { settings: { ...DEFAULT_GUILD_SETTINGS, autoGiftSkips: false } })).skips,
      ).toEqual([]);
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('free');
    });

    it('keeps an unlinked viewer’s skip until they link, then applies the best one', async () => {
      const id = await seedSubmission(db(), { submitter: DISCORD });
      const result = await record([gift(1000), gift(4000)]);
      expect(result.skips.map((s) => [s.tier, s.outcome.kind])).toEqual([
        ['skip5', 'claimable'],
        ['skip15', 'claimable'],
      ]);
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('free');

      await db().execute(
        sql`UPDATE tiktok_accounts SET discord_user_id = ${DISCORD} WHERE tiktok_user_id = ${FAN.tiktokUserId}`,
      );
      const applied = await applyGiftSkipClaims(db(), GUILD, FAN.tiktokUserId, DISCORD);
      expect(applied).toMatchObject({ tier: 'skip15', giftValue: 4000, outcome: { kind: 'upgraded' } });
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('skip15');
      expect(await applyGiftSkipClaims(db(), GUILD, FAN.tiktokUserId, DISCORD)).toBeNull();
    });

    it('a link code in the batch of the viewer’s skip-sized gift links them and applies that skip at once', async () => {
      const id = await seedSubmission(db(), { submitter: DISCORD });
      const { code } = await createLinkRequest(db(), {
        guildId: GUILD,
        discordUserId: DISCORD,
        handle: FAN.handle,
        ttlMinutes: 10,
        now: T0,
      });
      const result = await record([gift(2000), comment(`code ${code}`)]);
      expect(result.skips).toMatchObject([{ tier: 'skip10', outcome: { kind: 'claimable' } }]);
      expect(result.links).toMatchObject([
        {
          discordUserId: DISCORD,
          handle: FAN.handle,
          giftSkip: { tier: 'skip10', outcome: { kind: 'upgraded' } },
        },
      ]);
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('skip10');
    });

    it('turns a skip into a credit for the next submission when nothing is queued', async () => {
      await linkTikTok(db(), GUILD, DISCORD, { id: FAN.tiktokUserId, handle: FAN.handle });
      const result = await record([gift(2000)]);
      expect(result.skips).toMatchObject([{ tier: 'skip10', outcome: { kind: 'credited' } }]);
      const id = await seedSubmission(db(), { submitter: DISCORD });
      expect((await getSubmission(db(), GUILD, id)).tier).toBe('skip10');
    });
  });

  describe('live sessions', () => {
    it('keeps one session across reconnects to the same room and replaces one whose end was missed', async () => {
      const first = await openSession('111');
      const again = await openLiveSession(db(), {
        guildId: GUILD,
        tiktokUsername: 'streamer',
        roomId: '111',
        now: at(60),
      });
      expect(again).toMatchObject({ session: { id: first.id }, replaced: null });
      const next = await openLiveSession(db(), {
        guildId: GUILD,
        tiktokUsername: 'streamer',
        roomId: '222',
        now: at(120),
      });
      expect(next.replaced).toMatchObject({ id: first.id, endReason: 'replaced' });
      expect(next.session.id).not.toBe(first.id);
    });

    it('closes the open session once; a second close finds none', async () => {
      const session = await openSession();
      expect(await closeLiveSession(db(), GUILD, 'ended', at(3600))).toMatchObject({
        id: session.id,
        endReason: 'ended',
        endedAt: at(3600),
      });
      expect(await closeLiveSession(db(), GUILD, 'ended', at(3700))).toBeNull();
    });

    it('tallies the Luxury Coins a session awarded', async () => {
      const session = await openSession();
      await record([gift(250)], { sessionId: session.id });
      const closed = await closeLiveSession(db(), GUILD, 'ended', at(60));
      expect(closed?.coinsAwarded).toBe(5);
    });
  });
});
