import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { convertWithCarry } from '../../src/domain/coins.js';
import { DEFAULT_GUILD_SETTINGS } from '../../src/domain/guild-settings.js';
import { rowsOf } from '../../src/storage/connect.js';
import { recordIngestBatch } from '../../src/storage/ingest-repo.js';
import { closeLiveSession, openLiveSession } from '../../src/storage/live-sessions-repo.js';
import { tickWatchTime } from '../../src/storage/watch-time-repo.js';
import { watchTimeJob } from '../../src/features/tiktok/watch-time-job.js';
import { runJobInSlot } from '../../src/jobs/job-run.js';
import { GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const T0 = new Date('2026-11-24T20:00:00.000Z');
const minute = (n: number) => new Date(T0.getTime() + n * 60_000);
const VIEWER = { tiktokUserId: '6800000000000000009', handle: 'night.owl', nickname: 'Owl' };
const LURKER = { tiktokUserId: '6800000000000000010', handle: 'lurker', nickname: 'Lurker' };

describe.each(DRIVER_KINDS)('watch time on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  /** The viewer does something (a like) at `when`, which is what makes them count as watching. */
  async function seenAt(when: Date, user = VIEWER) {
    await recordIngestBatch(db(), {
      guildId: GUILD,
      sessionId: null,
      interactions: [],
      accounts: [{ ...user, at: when }],
      streaks: [],
      settings: DEFAULT_GUILD_SETTINGS,
      now: when,
    });
  }

  async function balance(user = VIEWER) {
    const [row] = await rowsOf<{ watch_minutes: number; coins: number; watch_coin_carry: number }>(
      db(),
      sql`SELECT watch_minutes, coins, watch_coin_carry FROM tiktok_accounts WHERE tiktok_user_id = ${user.tiktokUserId}`,
    );
    return row;
  }

  const openSession = () =>
    openLiveSession(db(), { guildId: GUILD, tiktokUsername: 'streamer', roomId: '1', now: T0 });

  it('an hour of watching (seen every few minutes, 60 ticks) earns 60 minutes and 2 coins', async () => {
    await openSession();
    for (let m = 1; m <= 60; m++) {
      if (m % 4 === 1) await seenAt(minute(m - 1));
      await tickWatchTime(db(), GUILD, minute(m), DEFAULT_GUILD_SETTINGS);
    }
    expect(await balance()).toEqual({ watch_minutes: 60, coins: 2, watch_coin_carry: 0 });
    const closed = await closeLiveSession(db(), GUILD, 'ended', minute(61));
    expect(closed?.coinsAwarded).toBe(2);
  });

  it('stops counting a viewer not seen within the watch window', async () => {
    await openSession();
    await seenAt(minute(0));
    await seenAt(minute(0), LURKER);
    for (let m = 1; m <= 10; m++) {
      if (m === 9) await seenAt(minute(9), LURKER);
      await tickWatchTime(db(), GUILD, minute(m), DEFAULT_GUILD_SETTINGS);
    }
    // A 5-minute window: seen at 0 → ticks 1..4 count; the lurker, seen again at 9, counts again from 9.
    expect((await balance())?.watch_minutes).toBe(4);
    expect((await balance(LURKER))?.watch_minutes).toBe(6);
  });

  it('keeps each viewer’s watch minutes per live, and the live’s gift coins apart from watch-time coins', async () => {
    const first = (await openSession()).session;
    await seenAt(minute(0));
    await seenAt(minute(0), LURKER);
    // 150 TikTok coins gifted at 2 Luxury Coins per 100: 3 gift coins.
    await recordIngestBatch(db(), {
      guildId: GUILD,
      sessionId: first.id,
      interactions: [
        {
          msgId: '7460000000000000001',
          kind: 'gift',
          tiktokUserId: VIEWER.tiktokUserId,
          amount: 150,
          points: 300,
          giftValue: 150,
          payload: { streakable: false },
          occurredAt: minute(0),
        },
      ],
      accounts: [{ ...VIEWER, at: minute(0) }],
      streaks: [],
      settings: DEFAULT_GUILD_SETTINGS,
      now: minute(0),
    });
    for (let m = 1; m <= 3; m++) await tickWatchTime(db(), GUILD, minute(m), DEFAULT_GUILD_SETTINGS);
    await closeLiveSession(db(), GUILD, 'ended', minute(4));
    const second = (
      await openLiveSession(db(), { guildId: GUILD, tiktokUsername: 'streamer', roomId: '2', now: minute(5) })
    ).session;
    await seenAt(minute(5));
    await tickWatchTime(db(), GUILD, minute(6), DEFAULT_GUILD_SETTINGS);

    const perSession = await rowsOf<{ session_id: number; tiktok_user_id: string; minutes: number }>(
      db(),
      sql`SELECT session_id, tiktok_user_id, minutes FROM session_watch
          WHERE guild_id = ${GUILD} ORDER BY session_id, tiktok_user_id`,
    );
    expect(perSession).toEqual([
      { session_id: first.id, tiktok_user_id: VIEWER.tiktokUserId, minutes: 3 },
      { session_id: first.id, tiktok_user_id: LURKER.tiktokUserId, minutes: 3 },
      { session_id: second.id, tiktok_user_id: VIEWER.tiktokUserId, minutes: 1 },
    ]);
    const tallies = await rowsOf<{
      coins_awarded: number;
      gift_coins_awarded: number;
      watch_coins_awarded: number;
    }>(
      db(),
      sql`SELECT coins_awarded, gift_coins_awarded, watch_coins_awarded FROM live_sessions
          WHERE id = ${first.id}`,
    );
    expect(tallies).toEqual([{ coins_awarded: 3, gift_coins_awarded: 3, watch_coins_awarded: 0 }]);
  });

  it('tallies watch-time coins on the live apart from gift coins', async () => {
    const { session } = await openSession();
    await seenAt(minute(0));
    const settings = { ...DEFAULT_GUILD_SETTINGS, watchWindowMinutes: 60 };
    // 30 minutes at 1 Luxury Coin per 30.
    for (let m = 1; m <= 30; m++) await tickWatchTime(db(), GUILD, minute(m), settings);
    const [tally] = await rowsOf<{
      coins_awarded: number;
      gift_coins_awarded: number;
      watch_coins_awarded: number;
    }>(
      db(),
      sql`SELECT coins_awarded, gift_coins_awarded, watch_coins_awarded FROM live_sessions WHERE id = ${session.id}`,
    );
    expect(tally).toEqual({ coins_awarded: 1, gift_coins_awarded: 0, watch_coins_awarded: 1 });
  });

  it('counts nothing while no LIVE session is open', async () => {
    await seenAt(minute(0));
    expect(await tickWatchTime(db(), GUILD, minute(1), DEFAULT_GUILD_SETTINGS)).toEqual({
      watchers: 0,
      coins: 0,
    });
    expect((await balance())?.watch_minutes).toBe(0);
  });

  it('converts watch minutes exactly as convertWithCarry does, for any rate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 40 }),
        async (coins, per, ticks) => {
          await database.reset();
          await openSession();
          await seenAt(minute(0));
          const settings = {
            ...DEFAULT_GUILD_SETTINGS,
            watchWindowMinutes: 60,
            watchCoinRate: { coins, per },
          };
          let expected = { coins: 0, carryUnits: 0 };
          for (let m = 1; m <= ticks; m++) {
            await tickWatchTime(db(), GUILD, minute(m % 59 || 1), settings);
            const step = convertWithCarry(1, expected.carryUnits, settings.watchCoinRate);
            expected = { coins: expected.coins + step.coins, carryUnits: step.carryUnits };
          }
          expect(await balance()).toEqual({
            watch_minutes: ticks,
            coins: expected.coins,
            watch_coin_carry: expected.carryUnits,
          });
        },
      ),
      { numRuns: kind === 'pglite' ? 10 : 25 },
    );
  });

  describe('on the scheduler', () => {
    // A guild whose tick failed would make runJobInSlot throw (GuildRunsFailed).
    const job = () => watchTimeJob(60_000, () => minute(1));

    it('credits a minute once however many processes run its slot', async () => {
      await openSession();
      await seenAt(minute(0));
      const slot = Math.floor(minute(1).getTime() / 60_000);
      // Two bot processes share the database: each schedules the job and ticks for the same minute.
      expect(await runJobInSlot(database, job(), slot)).toBe('ran');
      expect(await runJobInSlot(database, job(), slot)).toBe('already-ran');
      expect(await balance()).toMatchObject({ watch_minutes: 1 });
      expect(await runJobInSlot(database, job(), slot + 1)).toBe('ran');
      expect(await balance()).toMatchObject({ watch_minutes: 2 });
    });

    it('credits every guild with an open LIVE, whichever process ingested its viewers', async () => {
      const OTHER = '100000000000000002';
      await openSession();
      await openLiveSession(db(), { guildId: OTHER, tiktokUsername: 'other', roomId: '2', now: T0 });
      await seenAt(minute(0));
      await recordIngestBatch(db(), {
        guildId: OTHER,
        sessionId: null,
        interactions: [],
        accounts: [{ ...LURKER, at: minute(0) }],
        streaks: [],
        settings: DEFAULT_GUILD_SETTINGS,
        now: minute(0),
      });
      await runJobInSlot(database, job(), 1);
      const minutes = await rowsOf<{ guild_id: string; watch_minutes: number }>(
        db(),
        sql`SELECT guild_id, watch_minutes FROM tiktok_accounts ORDER BY guild_id`,
      );
      expect(minutes).toEqual([
        { guild_id: GUILD, watch_minutes: 1 },
        { guild_id: OTHER, watch_minutes: 1 },
      ]);
    });
  });
});
