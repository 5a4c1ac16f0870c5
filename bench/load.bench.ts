/**
 * A stream under load: three built bots (`node dist/main.js`, one Discord shard each) on one
 * PostgreSQL database, LOAD_SERVERS servers each with a TikTok LIVE at LOAD_RATE events/s through its
 * own offline webcast, viewers sending /submit and several reviewers per server sending /next.
 * Reports how long each interaction waits for its acknowledgement (INTERACTION_CREATE sent by the
 * local Discord to the first callback it receives), each process's event-loop delay and RSS, and
 * whether the ingest kept up (events stored against sent).
 *
 *   npm run bench -- load          or   npx tsx bench/load.bench.ts
 *   LOAD_SERVERS=10 LOAD_RATE=200 LOAD_SECONDS=30 npm run bench -- load   (a lighter run)
 *
 * The default is the issue's full load, 50 servers at 200 events/s (10,000 events/s). This process
 * pushes those events and plays Discord, on the same 2 cores as the bots and PostgreSQL, so its own
 * event-loop delay (reported) adds to the acknowledgement times measured. Figures only.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { APIUser } from 'discord-api-types/v10';
import { sql } from 'drizzle-orm';
import { connectDatabase, rowsOf } from '../src/storage/connect.js';
import { setGuildField } from '../src/storage/guild-config-repo.js';
import { migrate } from '../src/storage/migrate.js';
import { BotProcess } from '../test/reliability/support/bot-process.js';
import { scriptedLive } from '../test/reliability/support/live-script.js';
import { asWebcastMessages } from '../test/reliability/support/live-webcast.js';
import { ensureBotBuilt } from '../test/support/bot/built-bot.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import { startLocalDiscord, type InteractionHandle } from '../test/support/discord/index.js';
import {
  startLocalWebcast,
  type LocalWebcast,
  type WebcastTestMessage,
} from '../test/support/tiktok/local-webcast.js';
import { startWebcastFront } from '../test/support/tiktok/webcast-front.js';
import { fmt, percentile, report } from './stats.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SERVERS = num('LOAD_SERVERS', 50);
const RATE = num('LOAD_RATE', 200);
const SECONDS = num('LOAD_SECONDS', 30);
/** Each server: a /submit every SUBMIT_EVERY_S seconds, a /next every NEXT_EVERY_S (reviewers take turns). */
const SUBMIT_EVERY_S = num('LOAD_SUBMIT_EVERY_S', 2);
const NEXT_EVERY_S = num('LOAD_NEXT_EVERY_S', 3);
const REVIEWERS = 3;
const PROCESSES = 3;
const TICK_MS = 100;

type Probe = { rssMb: number; eventLoopDelayMs: { p50: number; p99: number; max: number } };

interface LoadServer {
  guildId: string;
  submissions: string;
  reviewers: string;
  reviewerUsers: APIUser[];
  viewers: APIUser[];
  webcast: LocalWebcast;
  batches: WebcastTestMessage[][];
}

async function rssOf(pid: number): Promise<{ rssMb: number; hwmMb: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Asks the probe in `bot` for its figures (and resets its event-loop histogram). */
async function probe(bot: BotProcess, file: string): Promise<Probe> {
  await fs.rm(file, { force: true });
  bot.signal('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    const text = await fs.readFile(file, 'utf8').catch(() => null);
    if (text) return JSON.parse(text) as Probe;
  }
  throw new Error(`no probe answer from process ${bot.pid}`);
}

export async function runLoadBenchmarks(): Promise<void> {
  await ensureBotBuilt();
  const created = await createPostgresDatabase();
  const database = await connectDatabase({ databaseUrl: created.url });
  await migrate(database);
  const discord = await startLocalDiscord();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-load-'));
  const webcasts: LocalWebcast[] = [];
  const bots: BotProcess[] = [];
  try {
    const admin = discord.addUser({ username: 'streamer' });
    const viewersPerServer = Math.ceil(SECONDS / SUBMIT_EVERY_S) + 1;
    const servers: LoadServer[] = [];
    for (let i = 0; i < SERVERS; i++) {
      const guildId = ((20_000n + BigInt(i)) << 22n).toString();
      discord.addGuild({ id: guildId, name: `Stream ${i}`, ownerId: admin.id });
      const reviewerRole = discord.addRole(guildId, { name: 'Reviewer', permissions: 0n });
      const adminRole = discord.addRole(guildId, {
        name: 'Admin',
        permissions: PermissionFlagsBits.ManageGuild,
      });
      discord.addMember(guildId, { user: admin, roles: [adminRole.id, reviewerRole.id] });
      const reviewerUsers = Array.from({ length: REVIEWERS }, (_, r) => {
        const user = discord.addUser({ username: `reviewer${i}.${r}` });
        discord.addMember(guildId, { user, roles: [reviewerRole.id] });
        return user;
      });
      const viewers = Array.from({ length: viewersPerServer }, (_, v) => {
        const user = discord.addUser({ username: `viewer${i}.${v}` });
        discord.addMember(guildId, { user });
        return user;
      });
      const submissions = discord.addChannel(guildId, { name: 'song-requests', type: ChannelType.GuildText });
      const reviewers = discord.addChannel(guildId, { name: 'reviewers', type: ChannelType.GuildText });
      const webcast = await startLocalWebcast({
        handle: `load.stream.${i}`,
        roomId: String(7_460_000_000_000_000_000n + BigInt(i)),
      });
      webcasts.push(webcast);
      await setGuildField(database.db, guildId, 'submissionChannelId', submissions.id);
      await setGuildField(database.db, guildId, 'reviewerChannelId', reviewers.id);
      await setGuildField(database.db, guildId, 'reviewerRoleId', reviewerRole.id);
      await setGuildField(database.db, guildId, 'tiktokUsername', webcast.handle);
      // Encoded before the clock starts, so that pushing costs this process little during the run.
      const batches = scriptedLive({
        runId: i + 1,
        batches: (SECONDS * 1000) / TICK_MS,
        perBatch: Math.round((RATE * TICK_MS) / 1000),
        viewers: 300,
      }).map(asWebcastMessages);
      servers.push({
        guildId,
        submissions: submissions.id,
        reviewers: reviewers.id,
        reviewerUsers,
        viewers,
        webcast,
        batches,
      });
    }
    const front = await startWebcastFront(webcasts);
    const probeFiles = Array.from({ length: PROCESSES }, (_, p) => path.join(workDir, `probe-${p}.json`));
    const started = await Promise.all(
      probeFiles.map(async (file, shard) => {
        const dataDir = path.join(workDir, `data-${shard}`);
        await fs.mkdir(dataDir);
        return BotProcess.start({
          discord,
          databaseUrl: created.url,
          dataDir,
          built: true,
          startTimeoutMs: 60_000,
          extra: {
            DISCORD_SHARD_COUNT: String(PROCESSES),
            DISCORD_SHARDS: String(shard),
            TIKTOK_SIGN_API_URL: `http://${front.host}`,
            MRB_PROBE_TIKTOK_HOST: front.host,
            MRB_PROBE_FILE: file,
          },
        });
      }),
    );
    bots.push(...started);
    for (let waited = 0; webcasts.some((w) => w.connectedClients !== 1); waited += 100) {
      if (waited > 60_000) throw new Error('not every LIVE connected within 60 s');
      await sleep(100);
    }
    const holders = await rowsOf<{ owner: string; n: number }>(
      database.db,
      sql`SELECT owner, count(*)::int AS n FROM tiktok_leases GROUP BY owner`,
    );

    await Promise.all(bots.map((bot, p) => probe(bot, probeFiles[p]!)));
    const acks: { command: 'submit' | 'next'; handle: InteractionHandle; sentAt: number }[] = [];
    const send = (command: 'submit' | 'next', handle: InteractionHandle, sentAt: number) =>
      acks.push({ command, handle, sentAt });
    let eventsSent = 0;
    let pushFailures = 0;
    const pushes: Promise<void>[] = [];
    const rssSamples: number[][] = bots.map(() => []);
    const ownLoop = monitorEventLoopDelay({ resolution: 10 });
    ownLoop.enable();
    const startedAt = performance.now();
    const startedWall = Date.now();
    const ticks = (SECONDS * 1000) / TICK_MS;
    const submitEvery = (SUBMIT_EVERY_S * 1000) / TICK_MS;
    const nextEvery = (NEXT_EVERY_S * 1000) / TICK_MS;
    for (let tick = 0; tick < ticks; tick++) {
      const due = startedAt + tick * TICK_MS;
      if (due > performance.now()) await sleep(due - performance.now());
      for (const [i, server] of servers.entries()) {
        const batch = server.batches[tick]!;
        eventsSent += batch.length;
        pushes.push(server.webcast.push(batch).catch(() => void pushFailures++));
        // Spread over the ticks so that the servers do not all ask at once.
        const phase = tick + i;
        if (phase % submitEvery === 0) {
          const n = Math.floor(tick / submitEvery);
          const viewer = server.viewers[n % server.viewers.length]!;
          send(
            'submit',
            discord.slashCommand({
              channelId: server.submissions,
              user: viewer,
              name: 'submit',
              options: {
                artist: `Artist ${i}.${n}`,
                title: `Song ${n}`,
                link: `https://youtu.be/${`${i}x${n}`.padStart(11, 'q')}`,
              },
            }),
            Date.now(),
          );
        }
        if (phase % nextEvery === 0) {
          const reviewer = server.reviewerUsers[Math.floor(tick / nextEvery) % REVIEWERS]!;
          send(
            'next',
            discord.slashCommand({ channelId: server.reviewers, user: reviewer, name: 'next' }),
            Date.now(),
          );
        }
      }
      if (tick % 10 === 0)
        for (const [p, bot] of bots.entries()) rssSamples[p]!.push((await rssOf(bot.pid)).rssMb);
    }
    const sendingMs = performance.now() - startedAt;
    ownLoop.disable();
    await Promise.all(pushes);
    const ackMs = { submit: [] as number[], next: [] as number[] };
    const slowest: { ms: number; at: number; command: string; shard: number }[] = [];
    let unanswered = 0;
    await Promise.all(
      acks.map(async ({ command, handle, sentAt }) => {
        try {
          const reply = await handle.reply(30_000);
          ackMs[command].push(reply.at - sentAt);
          const guildId = 'guild_id' in handle.payload ? String(handle.payload.guild_id) : '0';
          slowest.push({
            ms: reply.at - sentAt,
            at: sentAt - startedWall,
            command,
            shard: Number((BigInt(guildId) >> 22n) % BigInt(PROCESSES)),
          });
        } catch {
          unanswered += 1;
        }
      }),
    );
    const probes = await Promise.all(bots.map((bot, p) => probe(bot, probeFiles[p]!)));
    const memory = await Promise.all(bots.map((bot) => rssOf(bot.pid)));
    const stored = async () =>
      Number(
        (await rowsOf<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM interactions`))[0]?.n ??
          0,
      );
    const caughtUpFrom = performance.now();
    let storedCount = await stored();
    while (storedCount < eventsSent && performance.now() - caughtUpFrom < 60_000) {
      await sleep(250);
      storedCount = await stored();
    }
    const caughtUpMs = performance.now() - caughtUpFrom;

    const all = [...ackMs.submit, ...ackMs.next].sort((a, b) => a - b);
    const line = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${sorted.length} answered: p50 ${fmt(percentile(sorted, 50), 0)} ms, p99 ${fmt(percentile(sorted, 99), 0)} ms, max ${fmt(sorted.at(-1) ?? NaN, 0)} ms`;
    };
    report(
      `load: ${SERVERS} servers × ${RATE} events/s on ${PROCESSES} processes (PostgreSQL), ${SECONDS} s`,
      [
        [
          'LIVEs held, by process',
          bots
            .map((bot, p) => {
              // The lease owner is `host:pid:random` (src/features/tiktok/options.ts).
              const held = holders.find((h) => Number(h.owner.split(':').at(-2)) === bot.pid);
              return `process ${p}: ${held?.n ?? 0}`;
            })
            .join(', '),
        ],
        [
          'events sent / stored',
          `${eventsSent} in ${fmt(sendingMs / 1000, 1)} s (${fmt(eventsSent / (sendingMs / 1000), 0)}/s) / ${storedCount}${storedCount >= eventsSent ? `, all stored ${fmt(caughtUpMs / 1000, 1)} s after the last acknowledgement` : ' — the ingest did not catch up within 60 s'}`,
        ],
        ['pushes that found no client', String(pushFailures)],
        ['acknowledgement, all interactions', line(all)],
        ['  /submit', line(ackMs.submit)],
        ['  /next', line(ackMs.next)],
        ['  not acknowledged within 30 s', String(unanswered)],
        [
          '  the 5 slowest (sent at, shard)',
          slowest
            .sort((a, b) => b.ms - a.ms)
            .slice(0, 5)
            .map((x) => `${fmt(x.ms, 0)} ms /${x.command} (${fmt(x.at / 1000, 1)} s, shard ${x.shard})`)
            .join('; '),
        ],
        [
          'this process (pushes, local Discord)',
          `event-loop delay p99 ${fmt(ownLoop.percentile(99) / 1e6, 0)} ms (max ${fmt(ownLoop.max / 1e6, 0)})`,
        ],
        ...bots.map((bot, p): [string, string] => [
          `process ${p} (shard ${p}, pid ${bot.pid})`,
          `event-loop delay p99 ${fmt(probes[p]!.eventLoopDelayMs.p99, 0)} ms (max ${fmt(probes[p]!.eventLoopDelayMs.max, 0)}), RSS max ${fmt(Math.max(...rssSamples[p]!), 0)} MB, end ${fmt(memory[p]!.rssMb, 0)} MB, peak ${fmt(memory[p]!.hwmMb, 0)} MB`,
        ]),
      ],
    );
    await front.close();
  } finally {
    await Promise.all(bots.map((bot) => bot.kill()));
    await Promise.all(webcasts.map((w) => w.close()));
    await discord.close();
    await database.close();
    await created.drop();
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`music-review-bot load — Node ${process.version}, ${new Date().toISOString()}`);
  await runLoadBenchmarks();
}
