import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModuleFactory } from '../../src/discord/module.js';
import { tiktokModule } from '../../src/features/tiktok/index.js';
import { rowsOf } from '../../src/storage/connect.js';
import { setGuildField } from '../../src/storage/guild-config-repo.js';
import { createLinkRequest } from '../../src/storage/link-requests-repo.js';
import { rateSong } from '../../src/storage/ratings-repo.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { linkTikTok, seedSubmission } from '../support/db/fixtures.js';
import {
  installUnhandledRejectionGuard,
  type InteractionHandle,
  type RecordedCall,
} from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { until } from '../support/until.js';
import {
  chat,
  gift,
  join,
  like,
  roomUser,
  startLocalWebcast,
  streamEnd,
  type LocalWebcast,
} from '../support/tiktok/local-webcast.js';
import { MODULES_WITHOUT_JOBS, recordQueueChanges } from '../support/queue-changes.js';

installUnhandledRejectionGuard();

/** The shipped bot with its tiktok module pointed at a local webcast (real library, real protobuf). */

const alice = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice' };
const bob = { userId: '6898765432109876543', handle: 'bob_beats', nickname: 'Bob' };

const database = useTestDatabase('postgres');
let webcast: LocalWebcast;
let t: TestBot;

beforeEach(async () => {
  await database.reset();
  webcast = await startLocalWebcast({ handle: 'review.night', roomId: '7450000000000000777' });
});
afterEach(async () => {
  try {
    await t.close();
  } finally {
    await webcast.close();
  }
});

async function start(options: { disconnectGraceMs?: number; silenceTimeoutMs?: number } = {}) {
  const { silenceTimeoutMs, ...moduleOptions } = options;
  // Without the periodic jobs: a test counts the queue changes a gift makes (see MODULES_WITHOUT_JOBS).
  const modules = new Map<string, ModuleFactory>(MODULES_WITHOUT_JOBS);
  modules.set('tiktok', () =>
    tiktokModule({
      sourceOptions: {
        ...webcast.connectionOptions,
        backoff: { minMs: 20, maxMs: 50 },
        ...(silenceTimeoutMs === undefined ? {} : { silenceTimeoutMs }),
      },
      flushIntervalMs: 25,
      streakSilenceMs: 200,
      ...moduleOptions,
    }),
  );
  t = await startTestBot({ database, modules });
  await setGuildField(database.db, t.guildId, 'summaryChannelId', t.channels.general);
}

function tiktokAdmin(subcommand: string, options: Record<string, string> = {}) {
  return t.discord.slashCommand({
    channelId: t.channels.general,
    user: t.users.admin,
    name: 'admin',
    subcommandGroup: 'tiktok',
    subcommand,
    options,
  });
}

async function answer(handle: InteractionHandle): Promise<string> {
  const first = await handle.reply();
  if (first.body.type === 5) return String((await handle.editReply()).body.content ?? '');
  return String(first.body.data.content ?? '');
}

async function sessions() {
  return rowsOf<{ id: number; room_id: string | null; ended_at: string | null; end_reason: string | null }>(
    database.db,
    sql`SELECT id, room_id, ended_at, end_reason FROM live_sessions ORDER BY id`,
  );
}

async function openSession() {
  return until('a live session', async () => (await sessions()).find((s) => s.ended_at === null));
}

/** The viewer asks to link alice's account, then the LIVE starts: the code alice will type. */
async function aliceLinkCodeThenLive(): Promise<string> {
  const { code } = await createLinkRequest(database.db, {
    guildId: t.guildId,
    discordUserId: t.users.viewer.id,
    handle: alice.handle,
    ttlMinutes: 10,
    now: new Date(),
  });
  await answer(tiktokAdmin('connect', { username: 'review.night' }));
  await openSession();
  return code;
}

const messagesTo = (channelId: string) => (call: RecordedCall) =>
  call.method === 'POST' && call.path === `/channels/${channelId}/messages`;

describe('/admin tiktok', () => {
  it('connect stores the handle, opens a session when the LIVE is on, and status reports it', async () => {
    await start();
    expect(await answer(tiktokAdmin('connect', { username: '@review.night' }))).toMatch(
      /Connecting to @review\.night/,
    );
    const session = await openSession();
    expect(session.room_id).toBe(webcast.roomId);
    const [config] = await rowsOf<{ tiktok_username: string }>(
      database.db,
      sql`SELECT tiktok_username FROM guild_config`,
    );
    expect(config?.tiktok_username).toBe('review.night');

    await webcast.push([join(alice), like({ ...alice, count: 5, total: 5 })]);
    await until(
      'two events recorded',
      async () => (await rowsOf(database.db, sql`SELECT 1 FROM interactions`)).length === 2,
    );
    const status = await answer(tiktokAdmin('status'));
    expect(status).toContain('connected to the LIVE');
    expect(status).toContain('Last problem: none');
    expect(status).toContain('Last reconnect: none');
    expect(status).toContain('Events recorded this session: 2');
  });

  it('status says in plain words that the LIVE went quiet and the bot reconnected', async () => {
    await start({ silenceTimeoutMs: 300 });
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    const session = await openSession();
    // The webcast sends nothing: the bot gives up on the quiet connection and connects again.
    await until('a second connection', async () => webcast.signRequests.length >= 2);
    await until('back in the room', async () => webcast.connectedClients === 1);

    const status = await answer(tiktokAdmin('status'));
    expect(status).toMatch(/Last reconnect: the LIVE went quiet \(nothing arrived, not even viewer counts\)/);
    expect(status).not.toMatch(/silent|Error|ms\b/);
    // Same room, same session: a reconnect is not a new LIVE.
    expect(await sessions()).toMatchObject([{ id: session.id, ended_at: null }]);
  });

  it('refuses a username that is not a TikTok handle and stores nothing', async () => {
    await start();
    expect(await answer(tiktokAdmin('connect', { username: 'not a handle!' }))).toMatch(
      /not a TikTok username/,
    );
    expect(
      await rowsOf(database.db, sql`SELECT 1 FROM guild_config WHERE tiktok_username IS NOT NULL`),
    ).toEqual([]);
  });

  it('runs the watch-time tick as a scheduler job that stops with the module', async () => {
    await start();
    expect(t.bot.ctx.scheduler.activeJobs).toContain('tiktok-watch-time');
    await t.bot.registry.unload('tiktok');
    expect(t.bot.ctx.scheduler.activeJobs).not.toContain('tiktok-watch-time');
  });

  it('reconnects on start to every guild with a stored username', async () => {
    await start();
    await setGuildField(database.db, t.guildId, 'tiktokUsername', 'review.night');
    // Reloading runs the module's start exactly as a bot start does.
    await t.bot.registry.reload('tiktok');
    expect((await openSession()).room_id).toBe(webcast.roomId);
  });

  it('disconnect ends the session with its summary and stops recording', async () => {
    await start();
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    await openSession();
    expect(await answer(tiktokAdmin('disconnect'))).toMatch(/Disconnected/);
    expect(await sessions()).toMatchObject([{ end_reason: 'disconnected by an admin' }]);
    await t.discord.waitForCall(messagesTo(t.channels.general), 15_000);
    expect(await answer(tiktokAdmin('status'))).toMatch(/Not connected/);
  });
});

describe('a LIVE', () => {
  it('closes its session at the stream end and posts a summary without pinging anyone', async () => {
    await start();
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    await openSession();
    await webcast.push([
      join(alice),
      join(bob),
      roomUser({ total: 42, topViewers: [alice] }),
      like({ ...bob, count: 30, total: 30 }),
      chat({ ...alice, text: 'love this' }),
      gift({
        ...alice,
        giftId: 11046,
        giftName: 'Galaxy',
        diamondCount: 1000,
        type: 2,
        repeatCount: 1,
        repeatEnd: false,
        groupId: '0',
      }),
    ]);
    await webcast.push([streamEnd()]);

    const post = await t.discord.waitForCall<{ content: string; allowed_mentions: unknown }>(
      messagesTo(t.channels.general),
      15_000,
    );
    expect(await sessions()).toMatchObject([{ end_reason: 'ended' }]);
    expect(post.body.allowed_mentions).toEqual({ parse: [] });
    expect(post.body.content).toContain('TikTok LIVE summary');
    expect(post.body.content).toContain('Likes: 30');
    expect(post.body.content).toContain('Gifts sent: 1 (1,000 TikTok coins)');
    expect(post.body.content).toContain('Luxury Coins awarded: 20 (20 for gifts · 0 for watch time)');
    expect(post.body.content).toMatch(/1\. @alice\\?\.sings — 2,001 points\n2\. @bob\\?_beats — 30 points/);
    // No song was rated during this live: no line about ratings, nobody is told off.
    expect(post.body.content).not.toMatch(/rated/i);
  });

  it('sums up the songs rated during the live: how many, the average score and the best rated', async () => {
    await start();
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    await openSession();
    for (const [artist, scoreTenths] of [
      ['First', 70],
      ['**Best**', 90],
      ['Third', 75],
    ] as const) {
      const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
      await database.db.execute(sql`UPDATE submissions SET artist = ${artist} WHERE id = ${id}`);
      await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
      await rateSong(database.db, t.guildId, {
        reviewerId: t.users.reviewer.id,
        scoreTenths,
        verdict: null,
        correcting: false,
      });
    }
    await webcast.push([streamEnd()]);
    const post = await t.discord.waitForCall<{ content: string }>(messagesTo(t.channels.general), 15_000);
    expect(post.body.content).toMatch(
      /\nSongs rated: 3 · Average score: 7\.8\/10 · Best rated: 9\/10, \\\*\\\*Best\\\*\\\* – Song \d+(\n|$)/,
    );
  });

  it('counts gifts one way in the summary and in /admin metrics session: gifts sent, each repeat of a streak', async () => {
    await start();
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    await openSession();
    const rose = { ...bob, giftId: 5655, giftName: 'Rose', diamondCount: 1, type: 1, groupId: '77' };
    await webcast.push([
      // One streak of 20 roses (its updates are not gifts of their own) and one Galaxy.
      gift({ ...rose, repeatCount: 5, repeatEnd: false }),
      gift({ ...rose, repeatCount: 20, repeatEnd: true }),
      gift({
        ...alice,
        giftId: 11046,
        giftName: 'Galaxy',
        diamondCount: 1000,
        type: 2,
        repeatCount: 1,
        repeatEnd: false,
        groupId: '0',
      }),
    ]);
    await webcast.push([streamEnd()]);

    const post = await t.discord.waitForCall<{ content: string }>(messagesTo(t.channels.general), 15_000);
    expect(post.body.content).toContain('Gifts sent: 21 (1,020 TikTok coins)');

    const handle = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.admin,
      name: 'admin',
      subcommandGroup: 'metrics',
      subcommand: 'session',
      options: { session: 'latest' },
    });
    await handle.reply();
    const [embed] = (await handle.editReply()).body.embeds ?? [];
    const gifts = embed?.fields?.find((field) => field.name === 'Gifts')?.value;
    expect(gifts).toBe('21 gifts sent · 1,020 TikTok coins');
  });

  it('closes its session after a disconnect that outlasts the grace period', async () => {
    await start({ disconnectGraceMs: 400 });
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    await openSession();
    webcast.setLive(false);
    webcast.dropConnections();
    await until('the session closed', async () =>
      (await sessions()).find((s) => s.end_reason === 'disconnected'),
    );
    const status = await answer(tiktokAdmin('status'));
    expect(status).toMatch(/waiting for the LIVE to start/);
    // In words, never the library's error class.
    expect(status).toContain('Last problem: the TikTok account is not live right now');
    expect(status).not.toMatch(/Error/);
  });

  it('keeps its session through a short drop and a reconnect to the same room', async () => {
    await start({ disconnectGraceMs: 60_000 });
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    const session = await openSession();
    webcast.dropConnections();
    await until('reconnected', async () => webcast.connectedClients === 1);
    await webcast.push([like({ ...bob, count: 2, total: 2 })]);
    const rows = await until('the like recorded', async () => {
      const found = await rowsOf<{ session_id: number }>(
        database.db,
        sql`SELECT session_id FROM interactions`,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([{ session_id: session.id }]);
    expect(await sessions()).toHaveLength(1);
  });

  it('a big gift from a linked viewer upgrades their song and tells the reviewers', async () => {
    await start();
    await linkTikTok(database.db, t.guildId, t.users.viewer.id, { id: alice.userId, handle: alice.handle });
    const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
    await answer(tiktokAdmin('connect', { username: 'review.night' }));
    await openSession();
    const rose = { ...alice, giftId: 5655, giftName: 'Rose', diamondCount: 500, type: 1, groupId: '77' };
    await webcast.push([
      gift({ ...rose, repeatCount: 2, repeatEnd: false }),
      gift({ ...rose, repeatCount: 4, repeatEnd: false }),
      gift({ ...rose, repeatCount: 4, repeatEnd: true }),
    ]);

    const notice = await t.discord.waitForCall<{ content: string }>(messagesTo(t.channels.reviewers), 15_000);
    expect(notice.body.content).toMatch(/gifted 2,000 TikTok coins: .* moved from Free to 10 Skip/);
    expect((await getSubmission(database.db, t.guildId, id)).tier).toBe('skip10');
  });

  it('a link code typed in the chat links the account and DMs the member', async () => {
    await start();
    const code = await aliceLinkCodeThenLive();
    await webcast.push([chat({ ...alice, text: `my code ${code.toLowerCase()}` })]);

    const dm = await t.discord.waitForCall<{ content: string }>(
      (call) =>
        call.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(call.path) &&
        /linked/.test(String((call.body as { content?: string }).content)),
      15_000,
    );
    expect(dm.body.content).toContain('@alice.sings');
    const [account] = await rowsOf<{ discord_user_id: string }>(
      database.db,
      sql`SELECT discord_user_id FROM tiktok_accounts WHERE tiktok_user_id = ${alice.userId}`,
    );
    expect(account?.discord_user_id).toBe(t.users.viewer.id);
  });
});

describe('a link code typed in the chat after skip-sized gifts', () => {
  it('applies the skip the gifts earned: the reviewers hear of it, the queue views refresh, the DM says so', async () => {
    await start();
    const changes = recordQueueChanges(database, t.bot.ctx.queueEvents);
    const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
    const code = await aliceLinkCodeThenLive();
    const toReviewers = messagesTo(t.channels.reviewers);

    // Not linked yet: the gift's skip waits for a link.
    await webcast.push([
      gift({
        ...alice,
        giftId: 7934,
        giftName: 'Big',
        diamondCount: 2000,
        type: 2,
        repeatCount: 1,
        repeatEnd: false,
        groupId: '0',
      }),
    ]);
    const claimable = await t.discord.waitForCall<{ content: string }>(toReviewers, 15_000);
    expect(claimable.body.content).toMatch(/waits until they link/);
    expect((await getSubmission(database.db, t.guildId, id)).tier).toBe('free');

    await changes.settle();
    await webcast.push([chat({ ...alice, text: `here it is: ${code}` })]);
    const notice = await t.discord.waitForCall<{ content: string; allowed_mentions: unknown }>(
      (call) =>
        toReviewers(call) &&
        /linked their TikTok account/.test(String((call.body as { content?: string }).content)),
      15_000,
    );
    expect(notice.body.content).toMatch(
      new RegExp(
        `@alice\\\\?\\.sings \\(<@${t.users.viewer.id}>\\) linked their TikTok account: gifts sent before \\(2,000 TikTok coins\\) moved .* from Free to 10 Skip\\.`,
      ),
    );
    expect(notice.body.allowed_mentions).toEqual({ parse: [] });
    const dm = await t.discord.waitForCall<{ content: string; allowed_mentions: unknown }>(
      (call) =>
        call.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(call.path) &&
        /is now linked/.test(String((call.body as { content?: string }).content)),
      15_000,
    );
    expect(dm.body.content).toMatch(/Gifts it sent earlier earned a 10 Skip: your waiting song moved up\./);
    expect(dm.body.allowed_mentions).toEqual({ parse: [] });
    expect((await getSubmission(database.db, t.guildId, id)).tier).toBe('skip10');
    // The upgrade's commit reached the views' feed.
    expect(await changes.settle()).toEqual([t.guildId]);
  });
});
