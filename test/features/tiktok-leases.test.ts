import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { APIUser } from 'discord-api-types/v10';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBot, type Bot } from '../../src/discord/bot.js';
import type { ModuleFactory } from '../../src/discord/module.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { tiktokModule } from '../../src/features/tiktok/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { rowsOf } from '../../src/storage/connect.js';
import { setGuildField } from '../../src/storage/guild-config-repo.js';
import { findTikTokLease } from '../../src/storage/tiktok-leases-repo.js';
import { useTestDatabase } from '../support/db/test-database.js';
import {
  installUnhandledRejectionGuard,
  startLocalDiscord,
  type LocalDiscord,
} from '../support/discord/index.js';
import {
  chat,
  like,
  localWebcastConnectionOptions,
  startLocalWebcast,
  type LocalWebcast,
  type LocalWebcastConnectionOptions,
} from '../support/tiktok/local-webcast.js';
import { startWebcastFront } from '../support/tiktok/webcast-front.js';
import { until } from '../support/until.js';

installUnhandledRejectionGuard();

/**
 * Several bot processes on one database (each a bot of its own here: client, modules, scheduler,
 * lease owner) and one TikTok LIVE: exactly one of them holds it, and it moves on when that one
 * stops or stops renewing. The server is on shard 0 of 2: bot A runs shard 0, bots B and C shard 1.
 */
const GUILD_ID = (7_000n << 22n).toString();
const LEASE = { leaseTtlMs: 1_500, leaseRenewMs: 100, firstClaimDelayMs: 0 };
const alice = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice' };

const database = useTestDatabase('postgres');
let discord: LocalDiscord;
let webcast: LocalWebcast;
let admin: APIUser;
let channelId: string;
const running = new Map<string, { bot: Bot; dataDir: string }>();

beforeEach(async () => {
  await database.reset();
  webcast = await startLocalWebcast({ handle: 'review.night', roomId: '7450000000000000888' });
  discord = await startLocalDiscord();
  const user = discord.addUser({ username: 'streamer' });
  admin = user;
  discord.addGuild({ id: GUILD_ID, name: 'Review night', ownerId: user.id });
  const adminRole = discord.addRole(GUILD_ID, {
    name: 'Admin',
    permissions: PermissionFlagsBits.ManageGuild,
  });
  discord.addMember(GUILD_ID, { user, roles: [adminRole.id] });
  channelId = discord.addChannel(GUILD_ID, { name: 'general', type: ChannelType.GuildText }).id;
  await setGuildField(database.db, GUILD_ID, 'tiktokUsername', 'review.night');
});

afterEach(async () => {
  for (const name of [...running.keys()]) await stopBot(name);
  await discord.close();
  await webcast.close();
});

async function startBot(
  owner: string,
  shards: string,
  connection: LocalWebcastConnectionOptions = webcast.connectionOptions,
  firstClaimDelayMs = LEASE.firstClaimDelayMs,
): Promise<Bot> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-lease-'));
  const modules = new Map<string, ModuleFactory>(FEATURE_MODULES);
  modules.set('tiktok', () =>
    tiktokModule({
      sourceOptions: { ...connection, backoff: { minMs: 20, maxMs: 50 } },
      flushIntervalMs: 25,
      leaseOwner: owner,
      ...LEASE,
      firstClaimDelayMs,
    }),
  );
  const config = loadConfig({
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DATA_DIR: dataDir,
    HTTP_PORT: '0',
    LINK_NAMES: 'off',
    DISCORD_SHARD_COUNT: '2',
    DISCORD_SHARDS: shards,
  });
  const bot = createBot({ config, logger: createLogger('silent'), database, modules });
  running.set(owner, { bot, dataDir });
  await bot.start(discord.token);
  return bot;
}

async function stopBot(owner: string): Promise<void> {
  const entry = running.get(owner);
  if (!entry) return;
  running.delete(owner);
  await entry.bot.stop();
  await fs.rm(entry.dataDir, { recursive: true, force: true });
}

const leaseOwner = async () => (await findTikTokLease(database.db, GUILD_ID))?.owner ?? null;

async function sessions() {
  return rowsOf<{ id: number; ended_at: string | null }>(
    database.db,
    sql`SELECT id, ended_at FROM live_sessions WHERE guild_id = ${GUILD_ID} ORDER BY id`,
  );
}

async function likeCount(): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    database.db,
    sql`SELECT count(*)::int AS n FROM interactions WHERE guild_id = ${GUILD_ID} AND kind = 'like'`,
  );
  return Number(row?.n ?? 0);
}

async function status(): Promise<string> {
  const handle = discord.slashCommand({
    channelId,
    user: admin,
    name: 'admin',
    subcommandGroup: 'tiktok',
    subcommand: 'status',
  });
  const first = await handle.reply();
  return String(first.body.data?.content ?? '');
}

describe('one owner per TikTok LIVE across bot processes', () => {
  it('one process connects; a stopped owner hands the LIVE over at once, with nothing counted twice', async () => {
    await startBot('A', '0');
    await until(
      'A to hold the LIVE',
      async () => (await leaseOwner()) === 'A' && webcast.connectedClients === 1,
    );
    await startBot('B', '1');
    await startBot('C', '1');
    await sleep(5 * LEASE.leaseRenewMs);
    expect(await leaseOwner()).toBe('A');
    expect(webcast.connectedClients).toBe(1);
    expect(await status()).toContain('Followed by: this bot process (`A`)');

    const first = [1, 2, 3].map((n) => like({ ...alice, count: 1, total: n }));
    await webcast.push(first);
    await until('three likes', async () => (await likeCount()) === 3);
    // TikTok replays its latest messages to every new connection: the next owner gets these again.
    webcast.setInitialBatch(first);

    const [session] = await sessions();
    await stopBot('A');
    const next = await until('B or C to hold the LIVE', async () => {
      const owner = await leaseOwner();
      return owner !== null && owner !== 'A' && webcast.connectedClients === 1 && owner;
    });
    expect(['B', 'C']).toContain(next);
    await webcast.push([like({ ...alice, count: 1, total: 4 }), chat({ ...alice, text: 'still here' })]);
    await until('the fourth like', async () => (await likeCount()) === 4);
    await sleep(5 * LEASE.leaseRenewMs);
    expect(await likeCount()).toBe(4);
    // The session goes on under the new owner: the handover ended nothing.
    expect(await sessions()).toEqual([{ id: session!.id, ended_at: null }]);
    expect(webcast.connectedClients).toBe(1);
  });

  it('a LIVE whose lease another process took stays connected here until that process is in the room', async () => {
    await startBot('A', '0');
    await until(
      'A to hold the LIVE',
      async () => (await leaseOwner()) === 'A' && webcast.connectedClients === 1,
    );
    await startBot('B', '1');
    await sleep(3 * LEASE.leaseRenewMs);
    expect(await leaseOwner()).toBe('A');

    // B claims the lease (as when A stalled past its expiry), and its connect waits a second for the
    // sign server: A must stay in the room until B is in.
    webcast.delaySigning(1_000);
    const signsBefore = webcast.signRequests.length;
    let [fewest, most] = [1, 1];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        fewest = Math.min(fewest, webcast.connectedClients);
        most = Math.max(most, webcast.connectedClients);
        await sleep(5);
      }
    })();
    let pushed = 0;
    const pusher = (async () => {
      while (sampling) {
        await webcast.push([like({ ...alice, count: 1, total: ++pushed })]);
        await sleep(50);
      }
    })();
    await database.db.execute(
      sql`UPDATE tiktok_leases SET owner = 'B', acquired_at = now(), connected_at = NULL
          WHERE guild_id = ${GUILD_ID}`,
    );
    // B marks its lease once in the room; A, which was in it too, then leaves.
    await until(
      'B to be in the room alone',
      async () =>
        (await findTikTokLease(database.db, GUILD_ID))?.connectedAt != null && webcast.connectedClients === 1,
      10_000,
    );
    sampling = false;
    await Promise.all([sampler, pusher]);
    expect(webcast.signRequests.length).toBe(signsBefore + 1);
    expect(await leaseOwner()).toBe('B');
    expect([fewest, most]).toEqual([1, 2]);
    // Pushed while both were in the room, recorded by both: each like is stored once.
    await until('every like stored', async () => (await likeCount()) === pushed);
    await sleep(5 * LEASE.leaseRenewMs);
    expect(await likeCount()).toBe(pushed);
    expect(webcast.connectedClients).toBe(1);
  });

  it('a lease left by a process that stopped renewing is taken only after it expires', async () => {
    await database.db.execute(
      sql`INSERT INTO tiktok_leases (guild_id, owner, expires_at)
          VALUES (${GUILD_ID}, 'killed', now() + interval '1 second')`,
    );
    const [dead] = await rowsOf<{ expires_at: string }>(
      database.db,
      sql`SELECT expires_at::text FROM tiktok_leases WHERE guild_id = ${GUILD_ID}`,
    );
    await startBot('B', '1');
    expect(await leaseOwner()).toBe('killed');
    expect(webcast.connectedClients).toBe(0);
    await until(
      'B to take the LIVE',
      async () => (await leaseOwner()) === 'B' && webcast.connectedClients === 1,
    );
    const [taken] = await rowsOf<{ later: boolean }>(
      database.db,
      sql`SELECT acquired_at > ${dead!.expires_at}::timestamptz AS later FROM tiktok_leases WHERE guild_id = ${GUILD_ID}`,
    );
    expect(taken?.later).toBe(true);
  });

  it('status in a process that does not hold the LIVE names the one that does', async () => {
    await startBot('B', '1');
    await until(
      'B to hold the LIVE',
      async () => (await leaseOwner()) === 'B' && webcast.connectedClients === 1,
    );
    await startBot('A', '0');
    expect(await status()).toContain('followed by another bot process (`B`)');
  });

  it('disconnect from a process that does not hold the LIVE ends it in the one that does', async () => {
    await startBot('B', '1');
    await until(
      'B to hold the LIVE',
      async () => (await leaseOwner()) === 'B' && webcast.connectedClients === 1,
    );
    await until('a session', async () => (await sessions()).length === 1);
    await startBot('A', '0');
    const handle = discord.slashCommand({
      channelId,
      user: admin,
      name: 'admin',
      subcommandGroup: 'tiktok',
      subcommand: 'disconnect',
    });
    await handle.reply();
    await until('B to let go', async () => webcast.connectedClients === 0 && (await leaseOwner()) === null);
    expect((await sessions()).map((s) => s.ended_at !== null)).toEqual([true]);
  });
});

describe('LIVEs spread over the bot processes', () => {
  /**
   * Four servers (two per shard), each with a LIVE of its own behind one address; `owners` lists the
   * holders of the live leases in server order, `close` stops the bots and the extra LIVEs.
   */
  async function fourLives() {
    const extra = [7_001n, 7_002n, 7_003n].map((n) => (n << 22n).toString());
    const webcasts = [webcast];
    for (const [n, guildId] of extra.entries()) {
      discord.addGuild({ id: guildId, name: `Server ${n}`, ownerId: admin.id });
      const handle = `stream.${n}`;
      webcasts.push(await startLocalWebcast({ handle, roomId: `745000000000000090${n}` }));
      await setGuildField(database.db, guildId, 'tiktokUsername', handle);
    }
    const front = await startWebcastFront(webcasts);
    return {
      webcasts,
      connection: localWebcastConnectionOptions(front.host),
      owners: async () =>
        (
          await rowsOf<{ owner: string }>(
            database.db,
            sql`SELECT owner FROM tiktok_leases WHERE expires_at >= now() ORDER BY guild_id`,
          )
        ).map((r) => r.owner),
      async close() {
        for (const name of [...running.keys()]) await stopBot(name);
        await front.close();
        for (const w of webcasts.slice(1)) await w.close();
      },
    };
  }

  it('processes started together each connect their share at once: no LIVE is connected twice', async () => {
    const { webcasts, connection, owners, close } = await fourLives();
    try {
      await Promise.all([startBot('A', '0', connection, 500), startBot('B', '1', connection, 500)]);
      await until('two LIVEs each', async () => {
        const now = await owners();
        return now.length === 4 && now.filter((o) => o === 'A').length === 2;
      });
      await until('every LIVE connected', async () => webcasts.every((w) => w.connectedClients === 1));
      await sleep(10 * LEASE.leaseRenewMs);
      // One WebSocket each, ever: nothing was connected by one process and handed to the other.
      expect(webcasts.map((w) => w.requests.filter((r) => r.kind === 'websocket').length)).toEqual([
        1, 1, 1, 1,
      ]);
    } finally {
      await close();
    }
  });

  it('an offer no process takes stays connected here and is claimed back', async () => {
    const { webcasts, connection, owners, close } = await fourLives();
    try {
      const connected = () => webcasts.map((w) => w.connectedClients);
      await startBot('A', '0', connection);
      await until('A to hold all four', async () => (await owners()).join() === 'A,A,A,A');
      await until('four connections', async () => connected().join() === '1,1,1,1');
      // B registers, so A's share is two and it offers two, but B makes no claim for a minute.
      await startBot('B', '1', connection, 60_000);
      await until('A to offer two', async () => (await owners()).length === 2);
      const fewest = [1, 1, 1, 1];
      await until('A to claim its offers back', async () => {
        connected().forEach((n, i) => (fewest[i] = Math.min(fewest[i]!, n)));
        return (await owners()).join() === 'A,A,A,A';
      });
      expect(fewest).toEqual([1, 1, 1, 1]);
      expect(connected()).toEqual([1, 1, 1, 1]);
      // Each LIVE was connected once: nothing was handed over or reconnected.
      expect(webcasts.map((w) => w.requests.filter((r) => r.kind === 'websocket').length)).toEqual([
        1, 1, 1, 1,
      ]);
    } finally {
      await close();
    }
  });

  it('a process that joins takes its share: the first one offers LIVEs, each stays connected until taken', async () => {
    const { webcasts, connection, owners, close } = await fourLives();
    try {
      const connected = () => webcasts.map((w) => w.connectedClients);

      await startBot('A', '0', connection);
      await until('A to hold all four', async () => (await owners()).join() === 'A,A,A,A');
      await until('four connections', async () => connected().join() === '1,1,1,1');

      // Sampled while the LIVEs move: a LIVE handed over is never left without a connection.
      const fewest = [1, 1, 1, 1];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          connected().forEach((n, i) => (fewest[i] = Math.min(fewest[i]!, n)));
          await sleep(5);
        }
      })();
      await startBot('B', '1', connection);
      await until('two LIVEs each', async () => {
        const now = await owners();
        return now.length === 4 && now.filter((o) => o === 'A').length === 2 && now.includes('B') && now;
      });
      await until('every LIVE connected once', async () => connected().join() === '1,1,1,1');
      sampling = false;
      await sampler;
      expect(fewest).toEqual([1, 1, 1, 1]);
      // It settles: a few more rounds move nothing.
      const settled = await owners();
      await sleep(10 * LEASE.leaseRenewMs);
      expect(await owners()).toEqual(settled);
      expect(connected()).toEqual([1, 1, 1, 1]);
      // Handing a LIVE over ends nothing: every server's session is still open.
      const open = await rowsOf<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM live_sessions WHERE ended_at IS NULL`,
      );
      const all = await rowsOf<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM live_sessions`);
      expect([open[0]?.n, all[0]?.n]).toEqual([4, 4]);
    } finally {
      await close();
    }
  });
});
