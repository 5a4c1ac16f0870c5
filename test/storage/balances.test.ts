import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/domain/errors.js';
import { DEFAULT_GUILD_SETTINGS } from '../../src/domain/guild-settings.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import { adjustDiscordBalance, buySkip, getBalances, leaderboard } from '../../src/storage/balances-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { getGuildConfig, setGuildField, updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import {
  GUILD,
  linkTikTok,
  REVIEWER,
  seedSubmission,
  setDiscordPoints,
  userId,
} from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('balances and guild config on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  async function codeOf(promise: Promise<unknown>): Promise<string | null> {
    return promise.then(
      () => null,
      (e: unknown) => (e instanceof UserFacingError ? e.code : `unexpected: ${String(e)}`),
    );
  }

  it('adds Discord and linked TikTok balances together', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 10, 300);
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 7, coins: 900 });
    const b = await getBalances(db(), GUILD, userId(1));
    expect(b).toMatchObject({ discordPoints: 10, discordCoins: 300, totalPoints: 17, totalCoins: 1200 });
    expect(b.tiktok?.handle).toBe('fan');
    expect(await getBalances(db(), GUILD, userId(2))).toMatchObject({
      totalPoints: 0,
      totalCoins: 0,
      tiktok: null,
    });
  });

  it('gives and takes coins with an audit entry, and refuses to go below zero', async () => {
    expect(
      await adjustDiscordBalance(db(), GUILD, userId(1), 'coins', 50, {
        actorId: REVIEWER,
        reason: 'raffle',
      }),
    ).toBe(50);
    expect(await adjustDiscordBalance(db(), GUILD, userId(1), 'coins', -20, { actorId: REVIEWER })).toBe(30);
    expect(
      await codeOf(adjustDiscordBalance(db(), GUILD, userId(1), 'coins', -31, { actorId: REVIEWER })),
    ).toBe('insufficient_coins');
    expect(await codeOf(adjustDiscordBalance(db(), GUILD, userId(2), 'points', -1))).toBe(
      'insufficient_coins',
    );
    expect(await codeOf(adjustDiscordBalance(db(), GUILD, userId(1), 'coins', 0))).toBe('invalid_amount');
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(30);
    const audit = await listAudit(db(), GUILD, { targetUserId: userId(1) });
    expect(audit.map((a) => a.action)).toEqual(['coins_take', 'coins_give']);
  });

  it('refuses a balance past 2^53 - 1 and keeps the old one', async () => {
    await adjustDiscordBalance(db(), GUILD, userId(1), 'coins', Number.MAX_SAFE_INTEGER - 1);
    await expect(adjustDiscordBalance(db(), GUILD, userId(1), 'coins', 5)).rejects.toThrow();
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it('buys a skip: spends Discord coins first, then TikTok coins, and moves the song in one transaction', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1) });
    await setDiscordPoints(db(), GUILD, userId(1), 0, 400);
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', coins: 700 });
    const result = await buySkip(db(), GUILD, userId(1), DEFAULT_GUILD_SETTINGS);
    expect(result).toMatchObject({ remainingCoins: 100, price: 1000 });
    expect(result.submission).toMatchObject({ id, tier: 'skip10' });
    const b = await getBalances(db(), GUILD, userId(1));
    expect(b).toMatchObject({ discordCoins: 0, totalCoins: 100 });
    expect(b.tiktok?.coins).toBe(100);
  });

  it('refuses a skip it cannot pay for and changes nothing', async () => {
    const id = await seedSubmission(db(), { submitter: userId(1) });
    await setDiscordPoints(db(), GUILD, userId(1), 0, 999);
    expect(await codeOf(buySkip(db(), GUILD, userId(1), DEFAULT_GUILD_SETTINGS))).toBe('insufficient_coins');
    expect((await getSubmission(db(), GUILD, id)).tier).toBe('free');
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(999);
  });

  it('keeps the coins when there is no song to move', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 0, 5000);
    await seedSubmission(db(), { submitter: userId(1), tier: 'skip20', skipAmount: 20 });
    expect(await codeOf(buySkip(db(), GUILD, userId(1), DEFAULT_GUILD_SETTINGS))).toBe('no_open_submission');
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(5000);
  });

  it('never sells a bought skip on top of a skip: a 5 Skip stays a 5 Skip and the coins stay', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 0, 5000);
    const id = await seedSubmission(db(), { submitter: userId(1), tier: 'skip5', skipAmount: 5 });
    await expect(buySkip(db(), GUILD, userId(1), DEFAULT_GUILD_SETTINGS)).rejects.toThrow(
      'Your song is already in 5 Skip; a bought 10 Skip moves only a song waiting in Free or Pending Skips. Nothing was spent.',
    );
    expect(await getSubmission(db(), GUILD, id)).toMatchObject({ tier: 'skip5', skipAmount: 5 });
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(5000);
    expect(await listAudit(db(), GUILD)).toEqual([]);
  });

  it('moves the latest waiting song even when a newer one of the buyer is already skipped', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 0, 1000);
    const older = await seedSubmission(db(), { submitter: userId(1), tier: 'pending', skipAmount: 5 });
    const waiting = await seedSubmission(db(), { submitter: userId(1) });
    const skipped = await seedSubmission(db(), { submitter: userId(1), tier: 'skip15', skipAmount: 15 });
    const result = await buySkip(db(), GUILD, userId(1), DEFAULT_GUILD_SETTINGS);
    expect(result.submission).toMatchObject({ id: waiting, tier: 'skip10', skipAmount: 10 });
    expect((await getSubmission(db(), GUILD, older)).tier).toBe('pending');
    expect((await getSubmission(db(), GUILD, skipped)).tier).toBe('skip15');
    expect((await getBalances(db(), GUILD, userId(1))).discordCoins).toBe(0);
  });

  it('moves a song waiting in Pending Skips into the bought tier', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 0, 1000);
    const id = await seedSubmission(db(), { submitter: userId(1), tier: 'pending', skipAmount: 5 });
    const result = await buySkip(db(), GUILD, userId(1), DEFAULT_GUILD_SETTINGS);
    expect(result.submission).toMatchObject({ id, tier: 'skip10', requestedSkipAmount: null });
  });

  it('ranks users by points with their linked TikTok points', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 10);
    await setDiscordPoints(db(), GUILD, userId(2), 30);
    await linkTikTok(db(), GUILD, userId(1), { id: '7001', handle: 'fan', points: 25 });
    await linkTikTok(db(), GUILD, userId(3), { id: '7003', handle: 'other', points: 1 });
    const top = await leaderboard(db(), GUILD, 'points');
    expect(top.map((r) => [r.discordUserId, r.points])).toEqual([
      [userId(1), 35],
      [userId(2), 30],
      [userId(3), 1],
    ]);
  });

  it('keeps both of two settings changes made at the same moment', async () => {
    await Promise.all([
      updateGuildSettings(db(), GUILD, (s) => ({ ...s, buySkip: { ...s.buySkip, price: 321 } })),
      updateGuildSettings(db(), GUILD, (s) => ({ ...s, channelHygiene: true })),
    ]);
    const { settings } = await getGuildConfig(db(), GUILD);
    expect(settings.buySkip.price).toBe(321);
    expect(settings.channelHygiene).toBe(true);
  });

  it('stores guild channels and validated settings, refusing a bad change whole', async () => {
    await setGuildField(db(), GUILD, 'submissionChannelId', '900');
    const saved = await updateGuildSettings(db(), GUILD, (s) => ({
      ...s,
      buySkip: { ...s.buySkip, price: 250 },
    }));
    expect(saved.buySkip.price).toBe(250);
    expect(
      await codeOf(
        updateGuildSettings(db(), GUILD, (s) => ({
          ...s,
          giftSkipThresholds: { ...s.giftSkipThresholds, skip10: 1 },
        })),
      ),
    ).toBe('invalid_amount');
    const config = await getGuildConfig(db(), GUILD);
    expect(config.submissionChannelId).toBe('900');
    expect(config.settings.buySkip.price).toBe(250);
    expect(config.settings.giftSkipThresholds.skip10).toBe(2000);
    const [row] = await rowsOf<{ n: number }>(db(), sql`SELECT count(*) AS n FROM guild_config`);
    expect(row?.n).toBe(1);
  });
});
