import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { APIUser } from 'discord-api-types/v10';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { convertWithCarry, GIFT_COIN_RATE } from '../../src/domain/coins.js';
import { DEFAULT_POINT_RATES, giftPoints, pointsFor } from '../../src/domain/points.js';
import { shardOfGuild } from '../../src/discord/shard-plan.js';
import { connectDatabase, rowsOf, type Database } from '../../src/storage/connect.js';
import { setGuildField } from '../../src/storage/guild-config-repo.js';
import { migrate } from '../../src/storage/migrate.js';
import { ensureBotBuilt } from '../support/bot/built-bot.js';
import { createPostgresDatabase } from '../support/db/test-database.js';
import { startLocalDiscord, type InteractionHandle, type LocalDiscord } from '../support/discord/index.js';
import {
  startLocalWebcast,
  type LocalWebcast,
  type WebcastTestMessage,
} from '../support/tiktok/local-webcast.js';
import { startWebcastFront, type WebcastFront } from '../support/tiktok/webcast-front.js';
import { BotProcess } from './support/bot-process.js';
import { accountBalances, storedMessageIds, type AccountBalance } from './support/ingest-db.js';
import { scriptedLive, type RelayedEvent } from './support/live-script.js';
import { asWebcastMessages } from './support/live-webcast.js';
import { until as pollUntil, type Found } from '../support/until.js';

/**
 * Failover with real processes: three built bots (`node dist/main.js`) on one PostgreSQL database,
 * each running one of three Discord shards, and six servers (two per shard), each streaming its own
 * TikTok LIVE through its own offline webcast. The first process takes every LIVE, gives up LIVEs
 * as the others join until each holds two, and is killed with SIGKILL while events are being pushed;
 * the survivors take its two over once the leases expire; afterwards
 * every balance equals a replay of the sent events under the domain's rules, and every slash command
 * sent was answered exactly once.
 *
 * Why one process per shard: Discord (and the local Discord) sends a shard's events to every session
 * on that shard, so two processes running one shard would both answer its interactions. A shard is
 * therefore run by one process, and while the killed process's shard has no process, its servers'
 * commands go unanswered, as on Discord. So commands go to every server before the kill (each answered
 * before it), to the surviving shards' servers from then on, and to every server again once a
 * replacement process (as a supervisor would start) runs the killed one's shard.
 */

/** Lease timings given to the bots through the probe (production: 15 s, renewed every 5 s). */
const LEASE_TTL_MS = 3_000;
const LEASE_RENEW_MS = 500;
const SHARD_COUNT = 3;
/** Six servers, (id >> 22) % 3 = 0, 1, 2, 0, 1, 2: two on each shard. */
const GUILD_IDS = [9_000n, 9_001n, 9_002n, 9_003n, 9_004n, 9_005n].map((n) => (n << 22n).toString());
/** Per LIVE: a batch every PUSH_EVERY_MS, the kill after KILL_AFTER_BATCHES of them. */
const BATCHES = 70;
const PER_BATCH = 4;
const PUSH_EVERY_MS = 100;
const KILL_AFTER_BATCHES = 20;
/**
 * TikTok replays its latest messages to each new connection: here those pushed in the last 5 s before
 * the kill and after it. A process writes what it received within a second (its flush interval), so
 * everything the killed process had not yet written is in the replay.
 */
const REPLAY_WINDOW_MS = 5_000;

let discord: LocalDiscord;
let database: Database;
let dropDatabase: () => Promise<void>;
let front: WebcastFront;
const webcasts: LocalWebcast[] = [];
const bots: BotProcess[] = [];
const dataDirs: string[] = [];
/**
 * Set when the file ends: the test's command and push loops stop even if the test failed or timed out
 * mid-way (they would otherwise run on against closed servers).
 */
const finished = new AbortController();

beforeAll(async () => {
  await ensureBotBuilt();
}, 240_000);

afterAll(async () => {
  finished.abort();
  await Promise.all(bots.map((bot) => bot.kill()));
  await front?.close();
  await Promise.all(webcasts.map((w) => w.close()));
  await discord?.close();
  await database?.close();
  await dropDatabase?.();
  await Promise.all(dataDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

interface Server {
  guildId: string;
  shard: number;
  channelId: string;
  webcast: LocalWebcast;
  batches: RelayedEvent[][];
  /** Each batch as pushed (a retried push is logged again), with when. */
  pushed: { at: number; messages: WebcastTestMessage[] }[];
}

/** The shared `until`, with the bots' last log lines in the failure: what they were doing. */
async function until<T>(what: string, check: () => Promise<T>, timeoutMs = 20_000): Promise<Found<T>> {
  try {
    return await pollUntil(what, check, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${bots.map((b) => b.tail(5)).join('\n')}`, {
      cause: error,
    });
  }
}

async function leases(): Promise<Map<string, { pid: number; acquiredAt: number; expiresAt: number }>> {
  const rows = await rowsOf<{ guild_id: string; owner: string; acquired_ms: string; expires_ms: string }>(
    database.db,
    sql`SELECT guild_id, owner, (extract(epoch FROM acquired_at) * 1000)::bigint AS acquired_ms,
               (extract(epoch FROM expires_at) * 1000)::bigint AS expires_ms
        FROM tiktok_leases`,
  );
  // The bot's lease owner is `host:pid:random` (src/features/tiktok/options.ts).
  return new Map(
    rows.map((r) => [
      r.guild_id,
      {
        pid: Number(r.owner.split(':').at(-2)),
        acquiredAt: Number(r.acquired_ms),
        expiresAt: Number(r.expires_ms),
      },
    ]),
  );
}

/** The balances a replay of `events` gives under the domain's rules, each message counted once. */
function expectedAccounts(events: readonly RelayedEvent[]): AccountBalance[] {
  const accounts = new Map<string, AccountBalance>();
  const account = (user: unknown) => {
    const id = (user as { userId: string }).userId;
    let a = accounts.get(id);
    if (!a) {
      a = {
        tiktokUserId: id,
        points: 0,
        coins: 0,
        giftCoinCarry: 0,
        watchMinutes: 0,
        watchCoinCarry: 0,
        tiktokCoinsGifted: 0,
      };
      accounts.set(id, a);
    }
    return a;
  };
  const gifted = (a: AccountBalance, value: number) => {
    a.points += giftPoints(value, DEFAULT_POINT_RATES);
    const { coins, carryUnits } = convertWithCarry(value, a.giftCoinCarry, GIFT_COIN_RATE);
    a.coins += coins;
    a.giftCoinCarry = carryUnits;
    a.tiktokCoinsGifted += value;
  };
  for (const e of events) {
    if (e.kind === 'viewers') {
      for (const viewer of e.topViewers as unknown[]) account(viewer);
      continue;
    }
    const a = account(e.user);
    if (e.kind === 'like') a.points += pointsFor('like', Number(e.count), DEFAULT_POINT_RATES);
    else if (e.kind === 'comment' || e.kind === 'share' || e.kind === 'follow')
      a.points += pointsFor(e.kind, 1, DEFAULT_POINT_RATES);
    else if (e.kind === 'gift' && !e.streakable)
      gifted(a, Number(e.diamondCount) * Math.max(1, Number(e.repeatCount)));
    // A streak counts once, as one gift of its final size, when it ends.
    else if (e.kind === 'gift' && e.repeatEnd) gifted(a, Number(e.diamondCount) * Number(e.repeatCount));
  }
  return [...accounts.values()].sort((x, y) => (x.tiktokUserId < y.tiktokUserId ? -1 : 1));
}

it('a killed process’s TikTok LIVEs move to another process, with every event counted once and every command answered once', async () => {
  const created = await createPostgresDatabase();
  dropDatabase = created.drop;
  database = await connectDatabase({ databaseUrl: created.url });
  await migrate(database);
  discord = await startLocalDiscord();

  const admin = discord.addUser({ username: 'streamer' });
  const viewers = [0, 1, 2].map((i) => discord.addUser({ username: `viewer${i}` }));
  const servers: Server[] = [];
  for (const [i, guildId] of GUILD_IDS.entries()) {
    discord.addGuild({ id: guildId, name: `Review night ${i}`, ownerId: admin.id });
    const adminRole = discord.addRole(guildId, {
      name: 'Admin',
      permissions: PermissionFlagsBits.ManageGuild,
    });
    discord.addMember(guildId, { user: admin, roles: [adminRole.id] });
    for (const viewer of viewers) discord.addMember(guildId, { user: viewer });
    const channelId = discord.addChannel(guildId, { name: 'general', type: ChannelType.GuildText }).id;
    const webcast = await startLocalWebcast({
      handle: `review.night.${i}`,
      roomId: String(7_450_000_000_000_000_100n + BigInt(i)),
    });
    webcasts.push(webcast);
    await setGuildField(database.db, guildId, 'tiktokUsername', webcast.handle);
    servers.push({
      guildId,
      shard: shardOfGuild(guildId, SHARD_COUNT),
      channelId,
      webcast,
      batches: scriptedLive({ runId: i + 1, batches: BATCHES, perBatch: PER_BATCH, viewers: 6 }),
      pushed: [],
    });
  }
  expect(servers.map((s) => s.shard)).toEqual([0, 1, 2, 0, 1, 2]);
  front = await startWebcastFront(webcasts);

  const startBot = async (shard: number) => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-failover-'));
    dataDirs.push(dataDir);
    const bot = await BotProcess.start({
      discord,
      databaseUrl: created.url,
      dataDir,
      built: true,
      startTimeoutMs: 30_000,
      extra: {
        DISCORD_SHARD_COUNT: String(SHARD_COUNT),
        DISCORD_SHARDS: String(shard),
        TIKTOK_SIGN_API_URL: `http://${front.host}`,
        MRB_PROBE_TIKTOK_HOST: front.host,
        MRB_PROBE_LEASE_TTL_MS: String(LEASE_TTL_MS),
        MRB_PROBE_LEASE_RENEW_MS: String(LEASE_RENEW_MS),
      },
    });
    bots.push(bot);
    return bot;
  };

  // The first process takes every LIVE (it is alone); the others start once it holds them.
  const victim = await startBot(0);
  await until('the first process to hold every LIVE', async () => {
    const held = await leases();
    return (
      GUILD_IDS.every((g) => held.get(g)?.pid === victim.pid) &&
      webcasts.every((w) => w.connectedClients === 1)
    );
  });
  const survivors = await Promise.all([startBot(1), startBot(2)]);
  const survivorPids = survivors.map((b) => b.pid);
  // The newcomers take their share: the first process gives LIVEs up until each holds two.
  await until('the LIVEs to spread over the three processes', async () => {
    const held = [...(await leases()).values()].map((l) => l.pid);
    return (
      held.length === GUILD_IDS.length &&
      [victim.pid, ...survivorPids].every((pid) => held.filter((p) => p === pid).length === 2) &&
      webcasts.every((w) => w.connectedClients === 1)
    );
  });

  // Slash commands, round robin over the servers given; the Discord balance changes are kept.
  const granted = new Map<string, { points: number; coins: number }>();
  type Phase = 'before the kill' | 'shard 0 without a process' | 'shard 0 replaced';
  let phase: Phase = 'before the kill';
  const sent: { handle: InteractionHandle; shard: number; phase: Phase }[] = [];
  let commandNo = 0;
  const sendCommand = (server: Server) => {
    const n = commandNo++;
    const viewer = viewers[n % viewers.length] as APIUser;
    const base = { channelId: server.channelId };
    let handle: InteractionHandle;
    if (n % 4 === 0 || n % 4 === 2) {
      handle = discord.slashCommand({ ...base, user: viewer, name: n % 4 === 0 ? 'coins' : 'queue' });
    } else {
      const balance = n % 4 === 1 ? 'points' : 'coins';
      const amount = 1 + (n % 7);
      handle = discord.slashCommand({
        ...base,
        user: admin,
        name: 'admin',
        subcommandGroup: balance,
        subcommand: 'give',
        options: { user: viewer.id, amount },
      });
      const key = `${server.guildId}/${viewer.id}`;
      const g = granted.get(key) ?? { points: 0, coins: 0 };
      g[balance] += amount;
      granted.set(key, g);
    }
    sent.push({ handle, shard: server.shard, phase });
  };
  let commandTargets = servers;
  let commanding = true;
  const commands = (async () => {
    for (let i = 0; commanding && !finished.signal.aborted; i++) {
      sendCommand(commandTargets[i % commandTargets.length] as Server);
      await sleep(150);
    }
  })();

  // Each LIVE pushes its script while a process is in its room; a push that found no one is retried.
  const pushers = servers.map(async (server) => {
    for (const batch of server.batches) {
      const messages = asWebcastMessages(batch);
      for (;;) {
        if (finished.signal.aborted) return;
        while (server.webcast.connectedClients === 0 && !finished.signal.aborted) await sleep(20);
        server.pushed.push({ at: Date.now(), messages });
        try {
          await server.webcast.push(messages);
          break;
        } catch {
          // No client entered within 5 s, or the one in the room died as the batch went out: the
          // next owner is still connecting. The pause lets the webcast see the dead socket close.
          await sleep(20);
        }
      }
      await sleep(PUSH_EVERY_MS);
    }
  });

  await until('the LIVEs to be in mid-stream', async () =>
    servers.every((s) => s.pushed.length >= KILL_AFTER_BATCHES),
  );
  // From here commands go to the surviving shards only; those sent to shard 0 are answered first.
  commandTargets = servers.filter((s) => s.shard !== 0);
  phase = 'shard 0 without a process';
  await Promise.all(sent.filter((s) => s.shard === 0).map((s) => s.handle.reply(20_000)));

  victim.signal('SIGKILL');
  const killedAt = (await victim.exited).at;
  const left = await leases();
  // The killed process's LIVEs: the others' stay where they are.
  const orphaned = GUILD_IDS.flatMap((g, i) => (left.get(g)?.pid === victim.pid ? [i] : []));
  expect(orphaned).toHaveLength(2);
  const expiries = GUILD_IDS.map((g) => left.get(g)?.expiresAt ?? 0);
  await until('the killed process to leave its rooms', async () =>
    orphaned.every((i) => webcasts[i]!.connectedClients === 0),
  );
  const signsBefore = webcasts.map((w) => w.signRequests.length);
  const replays = servers.map((server) =>
    server.pushed.filter((p) => p.at >= killedAt - REPLAY_WINDOW_MS).flatMap((p) => p.messages),
  );
  for (const [i, server] of servers.entries()) server.webcast.setInitialBatch(replays[i]!);
  // Mid-stream: the script was not over, and part of what is replayed was already stored once.
  expect(servers.every((s) => s.pushed.length < BATCHES)).toBe(true);
  let storedAndReplayed = 0;
  for (const [i, server] of servers.entries()) {
    const stored = await storedMessageIds(database.db, server.guildId);
    storedAndReplayed += replays[i]!.filter((m) => stored.has(m.msgId)).length;
  }
  expect(storedAndReplayed).toBeGreaterThan(0);

  // Another process holds every LIVE again and is in its room.
  const taken = await until(
    'a surviving process to take every LIVE',
    async () => {
      const held = await leases();
      const all = GUILD_IDS.every((g) => survivorPids.includes(held.get(g)?.pid ?? -1));
      return all && webcasts.every((w) => w.connectedClients === 1) && held;
    },
    LEASE_TTL_MS + 15_000,
  );
  for (const i of orphaned) {
    const guildId = GUILD_IDS[i]!;
    const lease = taken.get(guildId)!;
    // Not before the killed process's lease ran out, and within a renewal round (plus slack for a
    // loaded machine) after it did.
    expect(lease.acquiredAt).toBeGreaterThanOrEqual(expiries[i]!);
    expect(lease.acquiredAt - expiries[i]!).toBeLessThan(LEASE_RENEW_MS + 2_500);
    expect(webcasts[i]!.signRequests.length).toBeGreaterThan(signsBefore[i]!);
  }
  expect(Math.max(...orphaned.map((i) => expiries[i]!)) - killedAt).toBeLessThanOrEqual(LEASE_TTL_MS);
  // The survivors' own LIVEs never moved.
  for (const [i, guildId] of GUILD_IDS.entries()) {
    if (!orphaned.includes(i)) expect(taken.get(guildId)?.pid).toBe(left.get(guildId)?.pid);
  }

  await startBot(0);
  commandTargets = servers;
  phase = 'shard 0 replaced';
  const replacedAt = commandNo;
  await until('commands to every server again', async () => commandNo >= replacedAt + 2 * servers.length);
  await Promise.all(pushers);
  commanding = false;
  await commands;
  await Promise.all(sent.map((s) => s.handle.reply(20_000)));

  // Nothing lost, nothing twice: every message sent is stored once.
  for (const server of servers) {
    const sentIds = server.batches
      .flat()
      .map((e) => e.msgId)
      .sort();
    // Waits for the last flushes; what is then missing or extra shows in the comparison.
    await until(
      `every message of ${server.webcast.handle} stored`,
      async () => (await storedMessageIds(database.db, server.guildId)).size >= sentIds.length,
      5_000,
    ).catch(() => undefined);
    const stored = await storedMessageIds(database.db, server.guildId);
    const missing = sentIds.filter((id) => !stored.has(id));
    if (missing.length > 0) {
      // When each missing message went out, and what the bots did with this LIVE: where it fell.
      const pushedAt = server.pushed
        .filter((p) => p.messages.some((m) => missing.includes(m.msgId)))
        .map((p) => `${p.at - killedAt} ms after the kill`);
      const story = bots.flatMap((b) =>
        b.logs
          .filter((l) => l.guildId === server.guildId)
          .map((l) => `${l.time - killedAt} ms: pid ${b.pid}: ${l.msg} ${String(l.reason ?? '')}`),
      );
      throw new Error(
        `${server.webcast.handle}: ${missing.length} messages never stored (${missing.join(', ')}), pushed ${pushedAt.join(', ')}\n${story.join('\n')}`,
      );
    }
    expect([...stored.keys()].sort()).toEqual(sentIds);
  }
  // A streak is credited when it ends; the last batches' streaks need one more flush.
  await sleep(1_500);
  for (const server of servers) {
    const actual = (await accountBalances(database.db, server.guildId)).map((a) => ({
      ...a,
      watchMinutes: 0,
      watchCoinCarry: 0,
    }));
    expect(actual, server.webcast.handle).toEqual(expectedAccounts(server.batches.flat()));
  }
  const discordBalances = await rowsOf<{
    guild_id: string;
    discord_user_id: string;
    points: string;
    coins: string;
  }>(
    database.db,
    sql`SELECT guild_id, discord_user_id, points, coins FROM user_points ORDER BY guild_id, discord_user_id`,
  );
  expect(
    Object.fromEntries(
      discordBalances.map((r) => [
        `${r.guild_id}/${r.discord_user_id}`,
        { points: Number(r.points), coins: Number(r.coins) },
      ]),
    ),
  ).toEqual(Object.fromEntries(granted));

  // Every command answered exactly once: one callback per interaction sent, none for any other.
  await sleep(1_000);
  const callbacks = new Map<string, number>();
  for (const call of discord.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/)) {
    const id = call.path.split('/')[2] as string;
    callbacks.set(id, (callbacks.get(id) ?? 0) + 1);
  }
  expect(Object.fromEntries(callbacks)).toEqual(Object.fromEntries(sent.map((s) => [s.handle.id, 1])));
  const shardsBy = (p: Phase) => [...new Set(sent.filter((s) => s.phase === p).map((s) => s.shard))].sort();
  expect(shardsBy('before the kill')).toEqual([0, 1, 2]);
  expect(shardsBy('shard 0 without a process')).toEqual([1, 2]);
  expect(shardsBy('shard 0 replaced')).toEqual([0, 1, 2]);
  expect(discord.unknownRoutes).toEqual([]);
}, 90_000);
