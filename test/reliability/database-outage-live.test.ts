import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, rowsOf, type Database } from '../../src/storage/connect.js';
import { createLinkRequest } from '../../src/storage/link-requests-repo.js';
import { migrate } from '../../src/storage/migrate.js';
import type { TestBot } from '../support/bot/test-bot.js';
import { ThrowawayCluster } from '../support/db/throwaway-cluster.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard, rateLimited, type RecordedCall } from '../support/discord/index.js';
import {
  chat,
  gift,
  nextMsgId,
  startLocalWebcast,
  type LocalWebcast,
} from '../support/tiktok/local-webcast.js';
import { accountBalances, replayFromScratch, storedMessageIds } from './support/ingest-db.js';
import { scriptedLive } from './support/live-script.js';
import { until } from '../support/until.js';
import { asWebcastMessages, startBotOnLive } from './support/live-webcast.js';

installUnhandledRejectionGuard();

/** Waits that span a restart of PostgreSQL and the pipeline's reconnection. */
const OUTAGE_MS = 20_000;

/**
 * PostgreSQL restarting while events arrive over the live connection (the webhook's side is
 * database-outage-ingest.test.ts). Nobody resends these: the pipeline keeps a batch it could not
 * commit at the front of its buffer and retries it, so after the restart every event is stored once.
 */
describe('PostgreSQL restarting while live-connection events arrive', () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let reference: TestDatabase;
  let webcast: LocalWebcast;
  let t: TestBot | undefined;

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    database = await connectDatabase({ databaseUrl: cluster.url });
    await migrate(database);
    reference = await openTestDatabase('postgres');
    webcast = await startLocalWebcast({ handle: 'review.night' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await webcast?.close();
    await database?.close();
    await cluster?.destroy();
    await reference?.close();
  });

  it('stores every event once after the restart, with the balances of the same LIVE replayed', async () => {
    const bot = await startBotOnLive({ ...database, reset: async () => {} }, webcast);
    t = bot;
    const { guildId } = bot;
    const script = scriptedLive({ runId: Date.now(), batches: 12, perBatch: 50 });
    const sent = script.flat().map((e) => e.msgId);
    const storedCount = async () => (await storedMessageIds(database.db, guildId)).size;

    for (const batch of script.slice(0, 4)) await webcast.pushAcknowledged(asWebcastMessages(batch));
    await until('the first batches stored', async () => (await storedCount()) === 200, OUTAGE_MS);

    await cluster.stop('immediate');
    for (const batch of script.slice(4, 8)) await webcast.pushAcknowledged(asWebcastMessages(batch));
    // Flushes run every 25 ms: let a good number of them fail against the stopped server.
    await sleep(500);
    await cluster.start();
    for (const batch of script.slice(8)) await webcast.pushAcknowledged(asWebcastMessages(batch));
    await until('every event stored', async () => (await storedCount()) === sent.length, OUTAGE_MS);

    // Stopping writes any streak credit still waiting, as the reference replay's stop does.
    t = undefined;
    await bot.close();
    const stored = await storedMessageIds(database.db, guildId);
    expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
    expect(sent.filter((id) => !stored.has(id))).toEqual([]);
    await replayFromScratch(reference.db, guildId, script);
    const expected = await accountBalances(reference.db, guildId);
    expect(expected.some((a) => a.coins > 0 && a.points > 0)).toBe(true);
    expect(await accountBalances(database.db, guildId)).toEqual(expected);
  }, 60_000);

  /** The bot on the live, once ITS session is open (the first test's session stays open). */
  async function startLinkingBot(): Promise<TestBot> {
    const bot = await startBotOnLive({ ...database, reset: async () => {} }, webcast);
    t = bot;
    await until(
      'the LIVE session of this bot open',
      async () => {
        const open = await rowsOf(
          database.db,
          sql`SELECT 1 FROM live_sessions WHERE guild_id = ${bot.guildId} AND ended_at IS NULL`,
        );
        return open.length > 0;
      },
      OUTAGE_MS,
    );
    return bot;
  }

  /** A member waiting for a chat code, and the TikTok account that will type it. */
  async function awaitingLink(bot: TestBot, n: number) {
    const fan = { userId: String(6_950_000_000_000_000_000n + BigInt(n)), handle: `code.typer${n}` };
    const { code } = await createLinkRequest(database.db, {
      guildId: bot.guildId,
      discordUserId: bot.users.viewer.id,
      handle: fan.handle,
      ttlMinutes: 10,
      now: new Date(),
    });
    return { fan, code };
  }

  const isLinkDm = (call: RecordedCall) =>
    call.method === 'POST' &&
    /^\/channels\/\d+\/messages$/.test(call.path) &&
    /is now linked/.test(String((call.body as { content?: string }).content));

  /** What the database holds about the link: requests completed for the account, and link audits. */
  async function linkRecords(guildId: string, tiktokUserId: string) {
    const [row] = await rowsOf<{ owner: string | null; completed: number; audits: number }>(
      database.db,
      sql`SELECT
            (SELECT discord_user_id FROM tiktok_accounts WHERE guild_id = ${guildId} AND tiktok_user_id = ${tiktokUserId}) AS owner,
            (SELECT count(*)::int FROM link_requests WHERE guild_id = ${guildId} AND tiktok_user_id = ${tiktokUserId}
              AND completed_at IS NOT NULL) AS completed,
            (SELECT count(*)::int FROM audit_log WHERE guild_id = ${guildId} AND action = 'link'
              AND details->>'tiktokUserId' = ${tiktokUserId}) AS audits`,
    );
    return row;
  }

  it('links a chat code typed while PostgreSQL is down exactly once, when its batch finally commits', async () => {
    const bot = await startLinkingBot();
    const { fan, code } = await awaitingLink(bot, 1);

    await cluster.stop('immediate');
    await webcast.pushAcknowledged([chat({ ...fan, text: `my code ${code}` })]);
    // Flushes run every 25 ms: the batch with the code fails against the stopped server, again and again.
    await sleep(500);
    await cluster.start();
    await bot.discord.waitForCall(isLinkDm, 20_000);

    t = undefined;
    await bot.close();
    expect(await linkRecords(bot.guildId, fan.userId)).toEqual({
      owner: bot.users.viewer.id,
      completed: 1,
      audits: 1,
    });
    expect(bot.discord.callsTo('POST', /^\/channels\/\d+\/messages$/).filter(isLinkDm)).toHaveLength(1);
  }, 60_000);

  it('keeps a chat code whose batch committed just before PostgreSQL went down, and tells the member', async () => {
    const bot = await startLinkingBot();
    const { fan, code } = await awaitingLink(bot, 2);
    const reviewerPosts = new RegExp(`^/channels/${bot.channels.reviewers}/messages$`);
    // The batch's side effects stall on a rate-limited announcement, so they outlast the database.
    bot.discord.failNext('POST', reviewerPosts, rateLimited(3));
    const typed = nextMsgId();
    await webcast.pushAcknowledged([
      // Another viewer's gift: the fan's own gifts would make the link announce a skip, which reads
      // the guild's channels from the database.
      gift({
        userId: '6950000000000000099',
        handle: 'big.gifter',
        giftId: 7934,
        giftName: 'Big',
        diamondCount: 2000,
        type: 2,
        repeatCount: 1,
        repeatEnd: false,
        groupId: '0',
      }),
      chat({ ...fan, msgId: typed, text: `my code ${code}` }),
    ]);
    await until(
      'the batch committed',
      async () => (await storedMessageIds(database.db, bot.guildId)).has(typed),
      OUTAGE_MS,
    );
    await bot.discord.waitForCall((call) => call.status === 429 && reviewerPosts.test(call.path), 10_000);

    await cluster.stop('immediate');
    // The link committed with the batch: telling the member needs Discord only.
    await bot.discord.waitForCall(isLinkDm, 15_000);
    await cluster.start();

    t = undefined;
    await bot.close();
    expect(await linkRecords(bot.guildId, fan.userId)).toEqual({
      owner: bot.users.viewer.id,
      completed: 1,
      audits: 1,
    });
  }, 60_000);
});
