import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueEvents } from '../../src/discord/queue-events.js';
import { createLogger } from '../../src/logging/logger.js';
import { startQueueChangeFeed } from '../../src/queue-changes/feed.js';
import { setGuildField } from '../../src/storage/guild-config-repo.js';
import { moveSubmission } from '../../src/storage/queue-moves.js';
import { syncFreeScores } from '../../src/storage/score-sync.js';
import { seedSubmission, userId } from '../support/db/fixtures.js';
import { DRIVER_KINDS, useTestDatabase } from '../support/db/test-database.js';
import { recordQueueChanges } from '../support/queue-changes.js';

/**
 * Queue changes are published by the database itself (migration 0010): every write path that touches
 * a server's submissions, Free order or settings is heard by the feed, once per transaction and guild,
 * and only after commit.
 */
describe.each(DRIVER_KINDS)('queue-change notifications on %s', (kind) => {
  const database = useTestDatabase(kind);
  let stopFeed: () => Promise<void>;
  let changes: ReturnType<typeof recordQueueChanges>;

  beforeEach(async () => {
    await database.reset();
    const events = new QueueEvents();
    stopFeed = await startQueueChangeFeed(database, events, createLogger('silent'));
    changes = recordQueueChanges(database, events);
  });
  afterEach(async () => {
    changes.stop();
    await stopFeed();
  });

  it('a new song, a move, a settings change and a Free order ranked anew are each heard', async () => {
    const id = await seedSubmission(database.db, { guildId: 'g1', submitter: userId(1) });
    expect(await changes.settle()).toEqual(['g1']);
    await moveSubmission(database.db, 'g1', id, 'skip5', userId(9));
    expect(await changes.settle()).toEqual(['g1']);
    await setGuildField(database.db, 'g2', 'reviewerChannelId', '123');
    expect(await changes.settle()).toEqual(['g2']);
    await seedSubmission(database.db, { guildId: 'g3', submitter: userId(2) });
    await changes.settle();
    await syncFreeScores(database.db, 'g3');
    expect(await changes.settle()).toEqual(['g3']);
  });

  it('is heard once per transaction and guild, only after commit, and never for a rollback', async () => {
    let heardBeforeCommit: string[] = [];
    await database.db.transaction(async (tx) => {
      await seedSubmission(tx, { guildId: 'g1', submitter: userId(1) });
      await seedSubmission(tx, { guildId: 'g1', submitter: userId(2) });
      await seedSubmission(tx, { guildId: 'g2', submitter: userId(3) });
      heardBeforeCommit = [...changes.heard];
    });
    expect(heardBeforeCommit).toEqual([]);
    expect((await changes.settle()).sort()).toEqual(['g1', 'g2']);

    const failed = database.db.transaction(async (tx) => {
      await seedSubmission(tx, { guildId: 'g1', submitter: userId(4) });
      throw new Error('rolled back');
    });
    await expect(failed).rejects.toThrow('rolled back');
    expect(await changes.settle()).toEqual([]);
  });

  it('a deleted song is heard', async () => {
    await seedSubmission(database.db, { guildId: 'g1', submitter: userId(1) });
    await changes.settle();
    await database.db.execute(sql`DELETE FROM submissions WHERE guild_id = 'g1'`);
    expect(await changes.settle()).toEqual(['g1']);
  });
});
