import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  claimTikTokLeases,
  clearTikTokLeases,
  findTikTokLease,
  heartbeatBotProcess,
  leaveBotProcesses,
  markTikTokLeaseConnected,
  offerTikTokLeases,
  releaseTikTokLeases,
} from '../../src/storage/tiktok-leases-repo.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

describe.each(DRIVER_KINDS)('TikTok leases on %s', (kind) => {
  const database = useTestDatabase(kind);
  beforeEach(async () => {
    await database.reset();
  });

  /** Moves a lease's expiry into the past, as if its owner had stopped renewing long ago. */
  const expire = (guildId: string) =>
    database.db.execute(
      sql`UPDATE tiktok_leases SET expires_at = now() - interval '1 second' WHERE guild_id = ${guildId}`,
    );

  it('gives each guild to one owner; the holder renews, the other gets nothing', async () => {
    expect(await claimTikTokLeases(database.db, 'a', ['g2', 'g1'], 60_000)).toEqual(['g1', 'g2']);
    expect(await claimTikTokLeases(database.db, 'b', ['g1', 'g2', 'g3'], 60_000)).toEqual(['g3']);
    const before = await findTikTokLease(database.db, 'g1');
    expect(await claimTikTokLeases(database.db, 'a', ['g1', 'g2'], 60_000)).toEqual(['g1', 'g2']);
    const after = await findTikTokLease(database.db, 'g1');
    expect(after).toMatchObject({ guildId: 'g1', owner: 'a' });
    // A renewal keeps when it was acquired and pushes the expiry on.
    expect(after?.acquiredAt).toEqual(before?.acquiredAt);
    expect(after!.expiresAt.getTime()).toBeGreaterThanOrEqual(before!.expiresAt.getTime());
  });

  it('lets another owner take a lease only once it has expired', async () => {
    await claimTikTokLeases(database.db, 'a', ['g1', 'g2'], 60_000);
    await expire('g1');
    expect(await findTikTokLease(database.db, 'g1')).toBeNull();
    expect(await claimTikTokLeases(database.db, 'b', ['g1', 'g2'], 60_000)).toEqual(['g1']);
    expect(await findTikTokLease(database.db, 'g1')).toMatchObject({ owner: 'b' });
    // The old owner's next renewal does not win it back.
    expect(await claimTikTokLeases(database.db, 'a', ['g1', 'g2'], 60_000)).toEqual(['g2']);
  });

  it('marks a lease connected for its holder only; renewals keep the mark, a new holder starts without', async () => {
    await claimTikTokLeases(database.db, 'a', ['g1'], 60_000);
    expect(await findTikTokLease(database.db, 'g1')).toMatchObject({ owner: 'a', connectedAt: null });
    await markTikTokLeaseConnected(database.db, 'b', 'g1');
    expect(await findTikTokLease(database.db, 'g1')).toMatchObject({ connectedAt: null });
    await markTikTokLeaseConnected(database.db, 'a', 'g1');
    const marked = (await findTikTokLease(database.db, 'g1'))?.connectedAt;
    expect(marked).toBeInstanceOf(Date);
    await claimTikTokLeases(database.db, 'a', ['g1'], 60_000);
    expect((await findTikTokLease(database.db, 'g1'))?.connectedAt).toEqual(marked);
    await offerTikTokLeases(database.db, 'a', ['g1']);
    expect(await claimTikTokLeases(database.db, 'b', ['g1'], 60_000)).toEqual(['g1']);
    expect(await findTikTokLease(database.db, 'g1')).toMatchObject({ owner: 'b', connectedAt: null });
  });

  it('frees released leases at once, only the owner’s own and only those named', async () => {
    await claimTikTokLeases(database.db, 'a', ['g1', 'g2', 'g3'], 60_000);
    await releaseTikTokLeases(database.db, 'b');
    await releaseTikTokLeases(database.db, 'a', ['g1']);
    expect(await claimTikTokLeases(database.db, 'b', ['g1', 'g2'], 60_000)).toEqual(['g1']);
    await releaseTikTokLeases(database.db, 'a');
    expect(await claimTikTokLeases(database.db, 'b', ['g2', 'g3'], 60_000)).toEqual(['g2', 'g3']);
    await clearTikTokLeases(database.db);
    expect(await findTikTokLease(database.db, 'g2')).toBeNull();
  });

  it('keeps guild ids with quotes or commas whole', async () => {
    const odd = ['with,comma', 'with"quote', 'NULL'];
    expect(await claimTikTokLeases(database.db, 'a', odd, 60_000)).toEqual([...odd].sort());
    await releaseTikTokLeases(database.db, 'a', odd);
    expect(await claimTikTokLeases(database.db, 'b', odd, 60_000)).toEqual([...odd].sort());
  });
});

describe.each(DRIVER_KINDS)('bot processes and shares of the LIVEs on %s', (kind) => {
  const database = useTestDatabase(kind);
  beforeEach(async () => {
    await database.reset();
  });

  it('takes at most the number of free leases asked for, and still renews every lease it holds', async () => {
    expect(await claimTikTokLeases(database.db, 'a', ['g1', 'g2', 'g3', 'g4'], 60_000, 2)).toHaveLength(2);
    const [first, second] = await claimTikTokLeases(database.db, 'a', ['g1', 'g2', 'g3', 'g4'], 60_000, 0);
    expect([first, second]).toHaveLength(2);
    expect(await claimTikTokLeases(database.db, 'b', ['g1', 'g2', 'g3', 'g4'], 60_000, 5)).toHaveLength(2);
    expect(await claimTikTokLeases(database.db, 'a', ['g1', 'g2', 'g3', 'g4'], 60_000, 5)).toEqual(
      [first, second].sort(),
    );
  });

  it('an offered lease is free for another owner at once, and only the owner can offer it', async () => {
    await claimTikTokLeases(database.db, 'a', ['g1', 'g2'], 60_000);
    await offerTikTokLeases(database.db, 'b', ['g1']);
    expect(await findTikTokLease(database.db, 'g1')).toMatchObject({ owner: 'a' });
    await offerTikTokLeases(database.db, 'a', ['g1']);
    expect(await findTikTokLease(database.db, 'g1')).toBeNull();
    expect(await claimTikTokLeases(database.db, 'b', ['g1', 'g2'], 60_000)).toEqual(['g1']);
  });

  it('counts the processes that renew, forgets those that stop or expire', async () => {
    expect(await heartbeatBotProcess(database.db, 'a', 60_000)).toBe(1);
    expect(await heartbeatBotProcess(database.db, 'b', 60_000)).toBe(2);
    expect(await heartbeatBotProcess(database.db, 'a', 60_000)).toBe(2);
    await database.db.execute(
      sql`UPDATE bot_processes SET expires_at = now() - interval '1 second' WHERE owner = 'b'`,
    );
    expect(await heartbeatBotProcess(database.db, 'a', 60_000)).toBe(1);
    await heartbeatBotProcess(database.db, 'c', 60_000);
    await leaveBotProcesses(database.db, 'c');
    expect(await heartbeatBotProcess(database.db, 'a', 60_000)).toBe(1);
  });
});
