import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SETTINGS, type GuildSettings } from '../../src/domain/guild-settings.js';
import { rowsOf } from '../../src/storage/connect.js';
import { recordIngestBatch, type InteractionRecord } from '../../src/storage/ingest-repo.js';
import { MAX_SAFE_BALANCE } from '../../src/storage/int8.js';
import { openLiveSession } from '../../src/storage/live-sessions-repo.js';
import { tickWatchTime } from '../../src/storage/watch-time-repo.js';
import { GUILD } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

const T0 = new Date('2026-11-24T20:00:00.000Z');
const WHALE = { tiktokUserId: '6800000000000000077', handle: 'whale', nickname: 'Whale' };

let nextMsg = 7_460_000_000_000_000_000n;

function gift(value: number, points: number): InteractionRecord {
  return {
    msgId: String(++nextMsg),
    kind: 'gift',
    tiktokUserId: WHALE.tiktokUserId,
    amount: value,
    points,
    giftValue: value,
    payload: { streakable: false },
    occurredAt: T0,
  };
}

/*
 * Balances are CHECKed to 0…2^53−1 (migrations/0001_initial.sql). A batch whose additions passed
 * that bound used to be refused by the database, re-queued, refused again, and hold up every later
 * event of the guild: additions now stop at the bound and the batch commits.
 */
describe.each(DRIVER_KINDS)('balances at the 2^53−1 cap on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  const record = (
    interactions: InteractionRecord[],
    sessionId: number | null,
    settings = DEFAULT_GUILD_SETTINGS,
  ) =>
    recordIngestBatch(db(), {
      guildId: GUILD,
      sessionId,
      interactions,
      accounts: [{ ...WHALE, at: T0 }],
      streaks: [],
      settings,
      now: T0,
    });

  async function openSession() {
    return (await openLiveSession(db(), { guildId: GUILD, tiktokUsername: 'streamer', roomId: '1', now: T0 }))
      .session;
  }

  async function setBalance(values: { points: number; coins: number; watchCoinCarry?: number }) {
    await record([], null);
    await db().execute(sql`UPDATE tiktok_accounts SET points = ${values.points}, coins = ${values.coins},
      watch_coin_carry = ${values.watchCoinCarry ?? 0}
      WHERE guild_id = ${GUILD} AND tiktok_user_id = ${WHALE.tiktokUserId}`);
  }

  async function account() {
    const [row] = await rowsOf<{ points: number; coins: number; watch_minutes: number }>(
      db(),
      sql`SELECT points, coins, watch_minutes FROM tiktok_accounts
          WHERE guild_id = ${GUILD} AND tiktok_user_id = ${WHALE.tiktokUserId}`,
    );
    return row;
  }

  async function tallies(sessionId: number) {
    const [row] = await rowsOf<{
      coins_awarded: number;
      gift_coins_awarded: number;
      watch_coins_awarded: number;
    }>(
      db(),
      sql`SELECT coins_awarded, gift_coins_awarded, watch_coins_awarded FROM live_sessions WHERE id = ${sessionId}`,
    );
    return row;
  }

  it('a gift that would push points and coins past the cap commits, and the balances stop at it', async () => {
    const session = await openSession();
    await setBalance({ points: MAX_SAFE_BALANCE - 10, coins: MAX_SAFE_BALANCE - 1 });
    // 250 TikTok coins at 2 Luxury Coins per 100: 5 coins, of which 1 fits.
    const result = await record([gift(250, 500)], session.id);
    expect(result.recorded).toHaveLength(1);
    expect(result.coinsAwarded).toBe(1);
    expect(await account()).toMatchObject({ points: MAX_SAFE_BALANCE, coins: MAX_SAFE_BALANCE });
    expect(await tallies(session.id)).toEqual({
      coins_awarded: 1,
      gift_coins_awarded: 1,
      watch_coins_awarded: 0,
    });
  });

  it('a first sighting whose batch alone earns more than the cap is created at the cap', async () => {
    const generous: GuildSettings = { ...DEFAULT_GUILD_SETTINGS, giftCoinRate: { coins: 1000, per: 1 } };
    const result = await record([gift(10_000_000_000_000, MAX_SAFE_BALANCE)], null, generous);
    expect(result.recorded).toHaveLength(1);
    expect(await account()).toMatchObject({ points: MAX_SAFE_BALANCE, coins: MAX_SAFE_BALANCE });
  });

  it('a watch minute that would push coins past the cap still counts the minute', async () => {
    const session = await openSession();
    // One more watch minute completes 30 at 1 coin per 30 minutes.
    await setBalance({ points: 0, coins: MAX_SAFE_BALANCE, watchCoinCarry: 29 });
    const tick = await tickWatchTime(db(), GUILD, new Date(T0.getTime() + 60_000), DEFAULT_GUILD_SETTINGS);
    expect(tick).toEqual({ watchers: 1, coins: 0 });
    expect(await account()).toMatchObject({ coins: MAX_SAFE_BALANCE, watch_minutes: 1 });
    expect(await tallies(session.id)).toEqual({
      coins_awarded: 0,
      gift_coins_awarded: 0,
      watch_coins_awarded: 0,
    });
  });
});
