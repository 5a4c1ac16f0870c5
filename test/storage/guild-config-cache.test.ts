import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueEvents } from '../../src/discord/queue-events.js';
import { createLogger } from '../../src/logging/logger.js';
import { startQueueChangeFeed } from '../../src/queue-changes/feed.js';
import { connectDatabase } from '../../src/storage/connect.js';
import {
  getGuildConfig,
  inGuildConfigTransaction,
  setGuildField,
  updateGuildSettings,
} from '../../src/storage/guild-config-repo.js';
import { cutQueueListener, recordQueueChanges } from '../support/queue-changes.js';
import { DRIVER_KINDS, useTestDatabase, type DriverKind } from '../support/db/test-database.js';
import { until } from '../support/until.js';

/**
 * Each process keeps a copy of every server's config while the queue-change feed listens, and forgets
 * it on its own writes and on every process's (the guild_config trigger, migration 0016). To tell the
 * copy from the row, some tests change the row with the trigger switched off: nothing then says so.
 */
function useGuildConfigDatabase(kind: DriverKind) {
  const database = useTestDatabase(kind);
  const state: { stopFeed?: (() => Promise<void>) | undefined; events: QueueEvents } = {
    events: new QueueEvents(),
  };
  beforeEach(async () => {
    await database.reset();
    state.events = new QueueEvents();
    await setGuildField(database.db, 'g1', 'reviewerChannelId', '100');
  });
  afterEach(async () => {
    await state.stopFeed?.();
    state.stopFeed = undefined;
  });
  return {
    database,
    state,
    startFeed: async () => {
      state.stopFeed = await startQueueChangeFeed(database, state.events, createLogger('silent'));
    },
    /** Changes the reviewer channel in the row itself, in a transaction, without notifying anyone. */
    quietlySetReviewerChannel: (value: string) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`ALTER TABLE guild_config DISABLE TRIGGER guild_config_queue_changed`);
        await tx.execute(sql`UPDATE guild_config SET reviewer_channel_id = ${value} WHERE guild_id = 'g1'`);
        await tx.execute(sql`ALTER TABLE guild_config ENABLE TRIGGER guild_config_queue_changed`);
      }),
    reviewerChannel: async () => (await getGuildConfig(database.db, 'g1')).reviewerChannelId,
  };
}

describe.each(DRIVER_KINDS)('guild config copies on %s', (kind) => {
  const { database, state, startFeed, quietlySetReviewerChannel, reviewerChannel } =
    useGuildConfigDatabase(kind);

  it('without the feed every read goes to the database', async () => {
    expect(await reviewerChannel()).toBe('100');
    await quietlySetReviewerChannel('200');
    expect(await reviewerChannel()).toBe('200');
  });

  it('with the feed a read is served from the copy until the row changes', async () => {
    await startFeed();
    expect(await reviewerChannel()).toBe('100');
    await quietlySetReviewerChannel('200');
    // The copy: the quiet change went unnoticed.
    expect(await reviewerChannel()).toBe('100');
    // A noticed change, committed in a transaction (no write function forgets the copy): the
    // notification after commit does.
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE guild_config SET reviewer_channel_id = '300' WHERE guild_id = 'g1'`);
    });
    await until('the copy is forgotten', async () => (await reviewerChannel()) === '300');
    // Once stopped, reads go to the database again.
    await state.stopFeed?.();
    state.stopFeed = undefined;
    await quietlySetReviewerChannel('400');
    expect(await reviewerChannel()).toBe('400');
  });

  it("this process's own writes are read back at once, before any notification", async () => {
    await startFeed();
    expect(await reviewerChannel()).toBe('100');
    await database.db.execute(sql`ALTER TABLE guild_config DISABLE TRIGGER guild_config_queue_changed`);
    try {
      await setGuildField(database.db, 'g1', 'reviewerChannelId', '500');
      expect(await reviewerChannel()).toBe('500');
      expect((await getGuildConfig(database.db, 'g1')).settings.autoGiftSkips).toBe(true);
      await updateGuildSettings(database.db, 'g1', (s) => ({ ...s, autoGiftSkips: false }));
      expect((await getGuildConfig(database.db, 'g1')).settings.autoGiftSkips).toBe(false);
    } finally {
      await database.db.execute(sql`ALTER TABLE guild_config ENABLE TRIGGER guild_config_queue_changed`);
    }
  });

  it('a write inside a larger transaction is read back at once when it goes through inGuildConfigTransaction', async () => {
    await startFeed();
    expect(await reviewerChannel()).toBe('100');
    await database.db.execute(sql`ALTER TABLE guild_config DISABLE TRIGGER guild_config_queue_changed`);
    try {
      await inGuildConfigTransaction(database.db, 'g1', async (tx) => {
        await setGuildField(tx, 'g1', 'reviewerChannelId', '800');
        // Not yet committed: this process still reads the committed row.
        expect(await reviewerChannel()).toBe('100');
      });
      expect(await reviewerChannel()).toBe('800');
    } finally {
      await database.db.execute(sql`ALTER TABLE guild_config ENABLE TRIGGER guild_config_queue_changed`);
    }
  });

  it('a settings change is still a queue change for the views', async () => {
    await startFeed();
    const changes = recordQueueChanges(database, state.events);
    try {
      await changes.settle();
      await setGuildField(database.db, 'g2', 'submissionChannelId', '7');
      expect(await changes.settle()).toEqual(['g2']);
    } finally {
      changes.stop();
    }
  });

  it('the config is frozen, so no caller can change the shared copy', async () => {
    await startFeed();
    const config = await getGuildConfig(database.db, 'g1');
    expect(() => {
      (config.settings.points as { like: number }).like = 99;
    }).toThrow(TypeError);
    expect((await getGuildConfig(database.db, 'g1')).settings.points.like).toBe(config.settings.points.like);
  });
});

describe('guild config copies across processes (PostgreSQL)', () => {
  const { database, startFeed, quietlySetReviewerChannel, reviewerChannel } =
    useGuildConfigDatabase('postgres');

  it("another process's write is noticed, and while the listener is down nothing is kept", async () => {
    await startFeed();
    const other = await connectDatabase({ databaseUrl: database.url });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      expect(await reviewerChannel()).toBe('100');
      await setGuildField(other.db, 'g1', 'reviewerChannelId', '600');
      await until('the other process’s change is read', async () => (await reviewerChannel()) === '600');

      const cut = await cutQueueListener(admin);
      // Down: the copy is dropped and a quiet change is read at once.
      await until('the listener noticed the drop', async () => {
        await quietlySetReviewerChannel(String(Date.now()));
        const row = await admin.query<{ v: string }>(
          `SELECT reviewer_channel_id AS v FROM guild_config WHERE guild_id = 'g1'`,
        );
        return (await reviewerChannel()) === row.rows[0]?.v;
      });
      // Back: copies are kept again.
      await cut.reconnected();
      await until('copies are kept again', async () => {
        const kept = await reviewerChannel();
        await quietlySetReviewerChannel(String(Date.now() + 1));
        return (await reviewerChannel()) === kept;
      });
    } finally {
      await admin.end();
      await other.close();
    }
  });
});
