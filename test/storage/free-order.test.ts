import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf, type Queryable } from '../../src/storage/connect.js';
import {
  peekNextSubmission,
  rejectSkip,
  removeSubmission,
  requestSkip,
  restoreSubmission,
  takeNextSubmission,
} from '../../src/storage/queue-moves.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import { listQueue, submitSong, userPositions } from '../../src/storage/submissions-repo.js';
import {
  GUILD,
  RELAXED,
  REVIEWER,
  seedSubmission,
  setDiscordPoints,
  userId,
} from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';

/** Rows of the guild's Free order, current and old generations alike. */
async function freeOrderRows(db: Queryable): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`SELECT count(*) AS n FROM free_order WHERE guild_id = ${GUILD}`,
  );
  return Number(row?.n);
}

async function freeIds(db: Queryable): Promise<number[]> {
  return (await listQueue(db, GUILD, { tiers: ['free'], limit: 100 })).entries.map((e) => e.id);
}

describe.each(DRIVER_KINDS)('the Free order on %s', (kind) => {
  const database = useTestDatabase(kind);
  const db = () => database.db;
  beforeEach(async () => {
    await database.reset();
  });

  it('drops a removed song from listing, positions and next at once, and its row at the next sync', async () => {
    const high = await seedSubmission(db(), { submitter: userId(1), score: 30 });
    const low = await seedSubmission(db(), { submitter: userId(2), score: 10 });
    await setDiscordPoints(db(), GUILD, userId(1), 30);
    await setDiscordPoints(db(), GUILD, userId(2), 10);
    await syncFreeScores(db(), GUILD);
    await removeSubmission(db(), GUILD, high, REVIEWER);

    expect(await freeIds(db())).toEqual([low]);
    expect((await listQueue(db(), GUILD, { tiers: ['free'] })).total).toBe(1);
    expect(await userPositions(db(), GUILD, userId(2))).toMatchObject([{ id: low, position: 1 }]);
    expect((await peekNextSubmission(db(), GUILD))?.id).toBe(low);
    expect(await freeOrderRows(db())).toBe(2);

    expect(await syncFreeScores(db(), GUILD)).toBe(1);
    expect(await freeOrderRows(db())).toBe(1);
    expect((await takeNextSubmission(db(), GUILD, REVIEWER))?.id).toBe(low);
  });

  it('takes the row of the song it serves with it, and records the score it was served at', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 7);
    const song = await seedSubmission(db(), { submitter: userId(1) });
    await syncFreeScores(db(), GUILD);
    const taken = await takeNextSubmission(db(), GUILD, REVIEWER);
    expect(taken).toMatchObject({ id: song, tier: 'played', servedFrom: 'free', score: 7 });
    expect(await freeOrderRows(db())).toBe(0);
  });

  it('ranks a song back in Free by its submitter’s points now, before any sync', async () => {
    const first = await seedSubmission(db(), { submitter: userId(1), score: 20 });
    const second = await seedSubmission(db(), { submitter: userId(2), score: 10 });
    const restored = await seedSubmission(db(), { submitter: userId(3), tier: 'played' });
    const rejected = await seedSubmission(db(), { submitter: userId(4) });
    await requestSkip(db(), GUILD, userId(4), 5);
    await setDiscordPoints(db(), GUILD, userId(3), 15);
    await setDiscordPoints(db(), GUILD, userId(4), 25);

    await restoreSubmission(db(), GUILD, restored, REVIEWER);
    await rejectSkip(db(), GUILD, rejected, REVIEWER);

    expect(await freeIds(db())).toEqual([rejected, first, restored, second]);
    expect(await userPositions(db(), GUILD, userId(3))).toMatchObject([
      { id: restored, score: 15, position: 3 },
    ]);
  });

  it('skips a whole sync when nothing changed, and ranks anew after any entry', async () => {
    await setDiscordPoints(db(), GUILD, userId(1), 5);
    await seedSubmission(db(), { submitter: userId(1) });
    expect(await syncFreeScores(db(), GUILD)).toBe(1);
    expect(await syncFreeScores(db(), GUILD)).toBe(0);
    const [{ generation } = { generation: -1 }] = await rowsOf<{ generation: number }>(
      db(),
      sql`SELECT generation FROM free_order_generations WHERE guild_id = ${GUILD}`,
    );

    const { submission } = await submitSong(
      db(),
      {
        guildId: GUILD,
        submitterId: userId(2),
        artist: 'A',
        title: 'B',
        link: { url: 'https://soundcloud.com/a/b', platform: 'soundcloud' },
        source: 'command',
      },
      RELAXED,
    );
    expect(await syncFreeScores(db(), GUILD)).toBe(2);
    const [after] = await rowsOf<{ generation: number; rows: number }>(
      db(),
      sql`SELECT generation, (SELECT count(*) FROM free_order WHERE guild_id = ${GUILD}) AS rows
          FROM free_order_generations WHERE guild_id = ${GUILD}`,
    );
    expect(after).toEqual({ generation: Number(generation) + 1, rows: 2 });
    expect((await freeIds(db())).at(-1)).toBe(submission.id);
  });

  it('pages across the skip tiers, Free and Pending exactly as one listing', async () => {
    for (let n = 1; n <= 4; n++)
      await seedSubmission(db(), { submitter: userId(n), tier: 'skip10', skipAmount: 10 });
    for (let n = 5; n <= 9; n++) await seedSubmission(db(), { submitter: userId(n), score: n });
    for (let n = 10; n <= 12; n++) await seedSubmission(db(), { submitter: userId(n), tier: 'pending' });
    const tiers = ['skip10', 'free', 'pending'] as const;
    const all = (await listQueue(db(), GUILD, { tiers, limit: 100 })).entries.map((e) => e.id);
    expect(all).toHaveLength(12);
    for (const [offset, limit] of [
      [0, 3],
      [3, 2],
      [2, 8],
      [8, 3],
      [11, 5],
      [12, 1],
    ] as const) {
      const page = await listQueue(db(), GUILD, { tiers, offset, limit });
      expect(page.entries.map((e) => e.id)).toEqual(all.slice(offset, offset + limit));
      expect(page.entries.map((e) => e.position)).toEqual(
        all.slice(offset, offset + limit).map((_, i) => offset + i + 1),
      );
      expect(page.total).toBe(12);
    }
  });
});
