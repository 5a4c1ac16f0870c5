/**
 * A stream under load: three built bots (`node dist/main.js`, one Discord shard each) on one
 * PostgreSQL database, LOAD_SERVERS servers each with a TikTok LIVE at LOAD_RATE events/s through its
 * own offline webcast, viewers sending /submit and several reviewers per server sending /next.
 * Reports how long each interaction waits for its acknowledgement (INTERACTION_CREATE sent by the
 * local Discord to the first callback it receives), each process's event-loop delay and RSS, and
 * whether the ingest kept up (events stored against sent).
 *
 * On LOAD_MEASURED of the servers, a linked viewer's `/submit` is followed every LOAD_GIFT_EVERY_S
 * seconds by a 2,000-coin gift that moves their song from Free to 10 Skip; measured from pushing the
 * gift to (a) the overlay's server-sent event that lists the song in 10 Skip (the overlay stream
 * opened with the URL `/admin overlay url` gives) and (b) the edit (PATCH) of a `live_queue` embed
 * (`/admin embed create`) that shows it there, arriving at the local Discord.
 *
 * Two legs: PostgreSQL (three processes, LOAD_SERVERS × LOAD_RATE) and embedded PGlite (one process,
 * no DATABASE_URL, one server at LOAD_PGLITE_RATE events/s). LOAD_LEGS=postgres or =pglite runs one.
 *
 *   npm run bench -- load          or   npx tsx bench/load.bench.ts
 *   LOAD_SERVERS=10 LOAD_RATE=200 LOAD_SECONDS=30 npm run bench -- load   (a lighter run)
 *
 * The default is the issue's full load, 50 servers at 200 events/s (10,000 events/s). This process
 * pushes those events (each batch encoded and gzipped before the clock starts, which cut this
 * process's CPU from ~20% to ~14% of a core) and plays Discord, on the same 2 cores as the bots and
 * the database, so its own event-loop delay (reported) adds to the times measured. Figures only.
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
import { DEFAULT_POOL_SIZE } from '../src/storage/pool-size.js';
import { BotProcess } from '../test/reliability/support/bot-process.js';
import { scriptedLive } from '../test/reliability/support/live-script.js';
import { asWebcastMessages } from '../test/reliability/support/live-webcast.js';
import { ensureBotBuilt } from '../test/support/bot/built-bot.js';
import { openEventStream, type EventStreamReader } from '../test/overlay/sse-reader.js';
import { linkTikTok } from '../test/support/db/fixtures.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import {
  startLocalDiscord,
  type InteractionHandle,
  type LocalDiscord,
  type RecordedCall,
} from '../test/support/discord/index.js';
import { gift, LocalWebcast, startLocalWebcast } from '../test/support/tiktok/local-webcast.js';
import { startWebcastFront } from '../test/support/tiktok/webcast-front.js';
import { fmt, percentile, report } from './stats.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SERVERS = num('LOAD_SERVERS', 50);
const RATE = num('LOAD_RATE', 200);
const SECONDS = num('LOAD_SECONDS', 30);
/** Each server: a /submit every SUBMIT_EVERY_S seconds, a /next every NEXT_EVERY_S (reviewers take turns). */
const SUBMIT_EVERY_S = num('LOAD_SUBMIT_EVERY_S', 2);
const NEXT_EVERY_S = num('LOAD_NEXT_EVERY_S', 3);
/** Servers with gift probes (overlay stream and live_queue embed), and how often each sends one. */
const MEASURED = num('LOAD_MEASURED', 5);
const GIFT_EVERY_S = num('LOAD_GIFT_EVERY_S', 5);
/** On a measured server no /next is sent for this long after a gift, so the upgraded song is not taken before it shows. */
const NEXT_PAUSE_AFTER_GIFT_S = 4;
const PGLITE_RATE = num('LOAD_PGLITE_RATE', 1000);
const PGLITE_SECONDS = num('LOAD_PGLITE_SECONDS', 60);
const LEGS = (process.env.LOAD_LEGS ?? 'postgres,pglite').split(',');
const REVIEWERS = 3;
const TICK_MS = 100;
/** Gift probes start once the LIVEs have run a little, and stop early enough to be seen. */
const FIRST_GIFT_TICK = 20;
const SKIP_LABEL = '10 Skip';
/** Longer than a lease renewal round (5 s): see the spread below. */
const SPREAD_STEADY_MS = 7_000;

interface Leg {
  name: 'PostgreSQL' | 'PGlite';
  servers: number;
  rate: number;
  processes: number;
  seconds: number;
}

type Checkouts = { n: number; p50: number; p99: number; max: number };
type Probe = {
  rssMb: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** PostgreSQL only: the bot's pool checkouts (test/support/bot/built-bot-probe.mjs). */
  pool?: {
    peakWaiting: number;
    peakTotal: number;
    ingestWaitMs: Checkouts;
    ingestHoldMs: Checkouts;
    otherWaitMs: Checkouts;
    otherHoldMs: Checkouts;
  };
};

/** CPU time (clock ticks) a process used so far: utime + stime from /proc/<pid>/stat. */
async function cpuTicksOf(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** Every process on the machine named `postgres` (the server and its backends), by pid. */
async function postgresTicks(): Promise<Map<number, number>> {
  const ticks = new Map<number, number>();
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await fs.readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') ticks.set(Number(entry), await cpuTicksOf(Number(entry)));
  }
  return ticks;
}

/** The whole machine's busy and total clock ticks, from the first line of /proc/stat. */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const first = (await fs.readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1);
  const values = first.map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

interface CpuSnapshot {
  bots: number[];
  own: NodeJS.CpuUsage;
  postgres: Map<number, number>;
  machine: { busy: number; total: number };
  at: number;
}

async function cpuSnapshot(pids: number[]): Promise<CpuSnapshot> {
  return {
    bots: await Promise.all(pids.map(cpuTicksOf)),
    own: process.cpuUsage(),
    postgres: await postgresTicks(),
    machine: await machineTicks(),
    at: performance.now(),
  };
}

/** CPU used between two snapshots, in % of one core (clock ticks are 1/100 s on Linux). */
function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): string {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number) => `${fmt(ticks / seconds, 0)}%`;
  const bots = b.bots.map((t, p) => `process ${p} ${pct(t - a.bots[p]!)}`).join(', ');
  const ownUs = b.own.user + b.own.system - a.own.user - a.own.system;
  let postgres = 0;
  for (const [pid, t] of b.postgres) postgres += t - (a.postgres.get(pid) ?? 0);
  const machine = b.machine.busy - a.machine.busy;
  const ours = b.bots.reduce((sum, t, p) => sum + t - a.bots[p]!, 0) + ownUs / 1e4 + postgres;
  const cores = os.cpus().length;
  return `${bots}, this process ${fmt(ownUs / 1e4 / seconds, 0)}%, PostgreSQL ${pct(postgres)}; everything else on the machine ${pct(Math.max(0, machine - ours))}; machine busy ${fmt((100 * machine) / (b.machine.total - a.machine.total), 0)}% of ${cores} cores`;
}

function checkouts(c: Checkouts): string {
  return `${c.n}: p50 ${fmt(c.p50, 1)}, p99 ${fmt(c.p99, 0)}, max ${fmt(c.max, 0)} ms`;
}

interface LoadServer {
  guildId: string;
  submissions: string;
  reviewers: string;
  reviewerUsers: APIUser[];
  viewers: APIUser[];
  webcast: LocalWebcast;
  /** Each tick's batch, encoded and gzipped as it is sent (LocalWebcast.frameOf), and its size. */
  frames: { frame: Buffer; messages: number }[];
  /** Measured servers only: linked viewers (one per gift), the embed's channel and message, the overlay. */
  probeViewers: { user: APIUser; tiktok: { userId: string; handle: string } }[];
  queueChannel: string;
  embedMessage?: string;
  overlay?: EventStreamReader;
  lastGiftTick?: number;
}

interface GiftProbe {
  server: LoadServer;
  /** The gifter's TikTok user id. */
  userId: string;
  title: string;
  sentAt: number;
  /** When the overlay stream showed the song in 10 Skip (null: not within the wait). */
  overlayAt: Promise<number | null>;
}

async function rssOf(pid: number): Promise<{ rssMb: number; hwmMb: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** The bot's warnings and errors since `from` (wall clock), by message, most frequent first. */
function warningsOf(bot: BotProcess, from: number): string {
  const counts = new Map<string, { n: number; firstMs: number }>();
  for (const line of bot.logs) {
    if (line.level < 40 || line.time < from) continue;
    const err = (line.err as { message?: string } | undefined)?.message;
    const key = err ? `${line.msg}: ${err}` : line.msg;
    const seen = counts.get(key) ?? { n: 0, firstMs: line.time - from };
    seen.n += 1;
    counts.set(key, seen);
  }
  if (counts.size === 0) return 'none';
  return [...counts]
    .sort((a, b) => b[1].n - a[1].n)
    .slice(0, 4)
    .map(([msg, c]) => `${c.n}× "${msg}" (first at ${fmt(c.firstMs / 1000, 1)} s)`)
    .join('; ');
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
  if (LEGS.includes('postgres'))
    await runLeg({ name: 'PostgreSQL', servers: SERVERS, rate: RATE, processes: 3, seconds: SECONDS });
  if (LEGS.includes('pglite'))
    await runLeg({ name: 'PGlite', servers: 1, rate: PGLITE_RATE, processes: 1, seconds: PGLITE_SECONDS });
}

/** The interaction's answer text, whether the bot replied at once or deferred and edited. */
async function answerOf(handle: InteractionHandle): Promise<string> {
  const first = await handle.reply(30_000);
  if (first.body.data.content) return String(first.body.data.content);
  return String((await handle.editReply(0, 30_000)).body.content ?? '');
}

/** Whether a live_queue embed edit lists `title` under the 10 Skip heading. */
function embedShowsSkip(call: RecordedCall, title: string): boolean {
  const embeds = (call.body as { embeds?: { description?: string }[] } | undefined)?.embeds;
  let heading = '';
  for (const line of (embeds?.[0]?.description ?? '').split('\n')) {
    if (line.startsWith('**')) heading = line;
    else if (line.includes(` – ${title} ·`)) return heading === `**${SKIP_LABEL}**`;
  }
  return false;
}

async function runLeg(leg: Leg): Promise<void> {
  const PROCESSES = leg.processes;
  const SECONDS = leg.seconds;
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-load-'));
  const dataDirs = Array.from({ length: PROCESSES }, (_, shard) => path.join(workDir, `data-${shard}`));
  for (const dir of dataDirs) await fs.mkdir(dir);
  const created = leg.name === 'PostgreSQL' ? await createPostgresDatabase() : null;
  // PGlite: this process sets the servers up in the bot's own data folder, then closes it for the bot.
  const pgliteDir = path.join(dataDirs[0]!, 'db');
  const openDatabase = () => connectDatabase(created ? { databaseUrl: created.url } : { pgliteDir });
  let database = await openDatabase();
  let databaseOpen = true;
  await migrate(database);
  const discord: LocalDiscord = await startLocalDiscord();
  const webcasts: LocalWebcast[] = [];
  const bots: BotProcess[] = [];
  try {
    const admin = discord.addUser({ username: 'streamer' });
    const viewersPerServer = Math.ceil(SECONDS / SUBMIT_EVERY_S) + 1;
    const probesPerServer = Math.ceil(SECONDS / GIFT_EVERY_S);
    const measured = Math.min(MEASURED, leg.servers);
    const servers: LoadServer[] = [];
    for (let i = 0; i < leg.servers; i++) {
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
      const queueChannel = discord.addChannel(guildId, { name: 'queue', type: ChannelType.GuildText });
      const webcast = await startLocalWebcast({
        handle: `load.stream.${i}`,
        roomId: String(7_460_000_000_000_000_000n + BigInt(i)),
      });
      webcasts.push(webcast);
      await setGuildField(database.db, guildId, 'submissionChannelId', submissions.id);
      await setGuildField(database.db, guildId, 'reviewerChannelId', reviewers.id);
      await setGuildField(database.db, guildId, 'reviewerRoleId', reviewerRole.id);
      await setGuildField(database.db, guildId, 'tiktokUsername', webcast.handle);
      const probeViewers = [];
      for (let k = 0; i < measured && k < probesPerServer; k++) {
        const user = discord.addUser({ username: `gifter${i}.${k}` });
        discord.addMember(guildId, { user });
        const tiktok = {
          // Past the scripted LIVE's viewers (scriptedLive's 6_900_000_000_000_000_000 + n, n < 300):
          // the same id there made a scripted viewer the linked gifter, whose Galaxies moved the probe.
          userId: String(6_901_000_000_000_000_000n + BigInt(i * 1000 + k)),
          handle: `gifter.${i}.${k}`,
        };
        await linkTikTok(database.db, guildId, user.id, { id: tiktok.userId, handle: tiktok.handle });
        probeViewers.push({ user, tiktok });
      }
      // Encoded before the clock starts, so that pushing costs this process little during the run.
      const frames = scriptedLive({
        runId: i + 1,
        batches: (SECONDS * 1000) / TICK_MS,
        perBatch: Math.round((leg.rate * TICK_MS) / 1000),
        viewers: 300,
      }).map((batch) => ({ frame: LocalWebcast.frameOf(asWebcastMessages(batch)), messages: batch.length }));
      servers.push({
        guildId,
        submissions: submissions.id,
        reviewers: reviewers.id,
        reviewerUsers,
        viewers,
        webcast,
        frames,
        probeViewers,
        queueChannel: queueChannel.id,
      });
    }
    if (!created) {
      await database.close();
      databaseOpen = false;
    }
    const front = await startWebcastFront(webcasts);
    const probeFiles = Array.from({ length: PROCESSES }, (_, p) => path.join(workDir, `probe-${p}.json`));
    const started = await Promise.all(
      probeFiles.map(async (file, shard) =>
        BotProcess.start({
          discord,
          // Empty: no DATABASE_URL, so the bot opens PGlite in DATA_DIR.
          databaseUrl: created?.url ?? '',
          dataDir: dataDirs[shard]!,
          built: true,
          startTimeoutMs: 60_000,
          extra: {
            DISCORD_SHARD_COUNT: String(PROCESSES),
            // The production pool (BotProcess gives the tests' bots a smaller one).
            DATABASE_POOL_SIZE: String(DEFAULT_POOL_SIZE),
            ...(process.env.LOAD_BOT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.LOAD_BOT_NODE_OPTIONS } : {}),
            DISCORD_SHARDS: String(shard),
            TIKTOK_SIGN_API_URL: `http://${front.host}`,
            MRB_PROBE_TIKTOK_HOST: front.host,
            MRB_PROBE_FILE: file,
          },
        }),
      ),
    );
    bots.push(...started);
    // Every LIVE connected, and (PostgreSQL) spread over the processes, which hand them over one at a
    // time after start-up: the clock starts once that is done.
    const share = Math.ceil(leg.servers / PROCESSES);
    const leaseHolders = async () =>
      created
        ? await rowsOf<{ owner: string; n: number }>(
            database.db,
            sql`SELECT owner, count(*)::int AS n FROM tiktok_leases GROUP BY owner`,
          )
        : [];
    // A LIVE offered to another process stays connected in the first one until it sees the new holder
    // (a round or two of lease renewal, src/features/tiktok/tiktok-lives.ts): for that while both
    // record it. The spread is done once every LIVE has had one client for longer than such a round.
    const spreadFrom = performance.now();
    let oneEachSince: number | null = null;
    let holders = await leaseHolders();
    for (;;) {
      const spread =
        webcasts.every((w) => w.connectedClients === 1) &&
        holders.every((h) => h.n <= share) &&
        (created === null || holders.length >= Math.min(PROCESSES, leg.servers));
      oneEachSince = spread ? (oneEachSince ?? performance.now()) : null;
      if (oneEachSince !== null && performance.now() - oneEachSince >= SPREAD_STEADY_MS) break;
      if (performance.now() - spreadFrom > 180_000)
        throw new Error('the LIVEs were not connected and spread within 180 s');
      await sleep(250);
      holders = await leaseHolders();
    }
    const spreadMs = performance.now() - spreadFrom;
    // The measured servers: a live_queue embed in #queue and an open overlay stream each.
    for (const server of servers.slice(0, measured)) {
      await answerOf(
        discord.slashCommand({
          channelId: server.reviewers,
          user: admin,
          name: 'admin',
          subcommandGroup: 'embed',
          subcommand: 'create',
          options: { kind: 'live_queue', channel: server.queueChannel },
        }),
      );
      server.embedMessage = discord.channelMessages(server.queueChannel)[0]?.id;
      if (!server.embedMessage) throw new Error(`no live_queue embed was posted in ${server.guildId}`);
      const answer = await answerOf(
        discord.slashCommand({
          channelId: server.reviewers,
          user: admin,
          name: 'admin',
          subcommandGroup: 'overlay',
          subcommand: 'url',
        }),
      );
      const url = /<(http:\/\/[^>]+)>/.exec(answer)?.[1];
      if (!url) throw new Error(`no overlay URL in ${JSON.stringify(answer)}`);
      server.overlay = await openEventStream(`${url}/events`);
      await server.overlay.until('event: queue');
    }

    await Promise.all(bots.map((bot, p) => probe(bot, probeFiles[p]!)));
    const acks: { command: 'submit' | 'next'; handle: InteractionHandle; sentAt: number }[] = [];
    const send = (command: 'submit' | 'next', handle: InteractionHandle, sentAt: number) =>
      acks.push({ command, handle, sentAt });
    let eventsSent = 0;
    let pushFailures = 0;
    const pushes: Promise<void>[] = [];
    const gifts: GiftProbe[] = [];
    const giftRuns: Promise<void>[] = [];
    let giftFailures = 0;
    let nextsPaused = 0;
    const sendGift = async (server: LoadServer, k: number) => {
      const { user, tiktok } = server.probeViewers[k]!;
      const title = `Gift probe ${k}`;
      // The viewer's song is queued (the /submit answered) before the gift that upgrades it.
      await answerOf(
        discord.slashCommand({
          channelId: server.submissions,
          user,
          name: 'submit',
          options: {
            artist: 'Probe',
            title,
            link: `https://youtu.be/${`g${server.guildId.slice(-4)}x${k}`.padStart(11, 'q')}`,
          },
        }),
      );
      const overlay = server.overlay!;
      const sentAt = Date.now();
      const overlayAt = overlay.until(`"title":"${title}","tier":"${SKIP_LABEL}"`).then(
        () => Date.now(),
        () => null,
      );
      const rose = { ...tiktok, giftId: 5655, giftName: 'Rose', diamondCount: 500, type: 1, groupId: '77' };
      const messages = [
        gift({ ...rose, repeatCount: 2, repeatEnd: false }),
        gift({ ...rose, repeatCount: 4, repeatEnd: false }),
        gift({ ...rose, repeatCount: 4, repeatEnd: true }),
      ];
      eventsSent += messages.length;
      await server.webcast.push(messages);
      gifts.push({ server, userId: tiktok.userId, title, sentAt, overlayAt });
    };
    const rssSamples: number[][] = bots.map(() => []);
    /** Clients in the LIVEs' rooms, sampled every second: one per LIVE unless two processes record one. */
    const liveClients = { min: Infinity, max: 0 };
    const ownLoop = monitorEventLoopDelay({ resolution: 10 });
    ownLoop.enable();
    const cpuBefore = await cpuSnapshot(bots.map((bot) => bot.pid));
    const startedAt = performance.now();
    const startedWall = Date.now();
    const ticks = (SECONDS * 1000) / TICK_MS;
    const submitEvery = (SUBMIT_EVERY_S * 1000) / TICK_MS;
    const nextEvery = (NEXT_EVERY_S * 1000) / TICK_MS;
    const giftEvery = (GIFT_EVERY_S * 1000) / TICK_MS;
    /**
     * When each tick began (wall clock): this process may run late. Its batches go out over the next
     * TICK_MS, so a lag measured from here is at most TICK_MS long.
     */
    const tickAt: number[] = [];
    for (let tick = 0; tick < ticks; tick++) {
      const due = startedAt + tick * TICK_MS;
      if (due > performance.now()) await sleep(due - performance.now());
      tickAt.push(Date.now());
      for (const [i, server] of servers.entries()) {
        // Each LIVE at its own moment of the tick, as independent LIVEs are: all at once, every
        // interaction arrived together with a batch from every LIVE.
        const at = due + (i * TICK_MS) / servers.length;
        if (at > performance.now() + 1) await sleep(at - performance.now());
        const { frame, messages } = server.frames[tick]!;
        eventsSent += messages;
        pushes.push(server.webcast.pushFrame(frame).catch(() => void pushFailures++));
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
        const paused =
          server.lastGiftTick !== undefined &&
          tick - server.lastGiftTick < (NEXT_PAUSE_AFTER_GIFT_S * 1000) / TICK_MS;
        if (phase % nextEvery === 0 && paused) nextsPaused += 1;
        if (phase % nextEvery === 0 && !paused) {
          const reviewer = server.reviewerUsers[Math.floor(tick / nextEvery) % REVIEWERS]!;
          send(
            'next',
            discord.slashCommand({ channelId: server.reviewers, user: reviewer, name: 'next' }),
            Date.now(),
          );
        }
        const giftTick = tick - FIRST_GIFT_TICK + i * 7;
        if (server.overlay && tick >= FIRST_GIFT_TICK && giftTick % giftEvery === 0) {
          const k = Math.floor((tick - FIRST_GIFT_TICK) / giftEvery);
          if (k < server.probeViewers.length) {
            server.lastGiftTick = tick;
            giftRuns.push(sendGift(server, k).catch(() => void giftFailures++));
          }
        }
      }
      if (tick % 10 === 0) {
        for (const [p, bot] of bots.entries()) rssSamples[p]!.push((await rssOf(bot.pid)).rssMb);
        const clients = webcasts.reduce((sum, w) => sum + w.connectedClients, 0);
        liveClients.min = Math.min(liveClients.min, clients);
        liveClients.max = Math.max(liveClients.max, clients);
      }
    }
    const sendingMs = performance.now() - startedAt;
    const cpuSending = cpuBetween(cpuBefore, await cpuSnapshot(bots.map((bot) => bot.pid)));
    // PostgreSQL: how long after the sending stopped the ingest had stored every event (how far
    // behind the LIVEs it ran), watched while the answers are collected.
    const sendingEnded = performance.now();
    // Reads `database` when called: on PGlite it is opened again once the bot has stopped.
    const countStored = async () =>
      Number(
        (await rowsOf<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM interactions`))[0]?.n ??
          0,
      );
    const caughtUp: Promise<number | null> = created
      ? (async () => {
          await Promise.all(giftRuns);
          while (performance.now() - sendingEnded < 90_000) {
            if ((await countStored()) >= eventsSent) return performance.now() - sendingEnded;
            await sleep(250);
          }
          return null;
        })()
      : Promise.resolve(null);
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
    await Promise.all(giftRuns);
    // The overlay: each gift's song shown in 10 Skip within 30 s of the gift, or not at all.
    const overlayMs: number[] = [];
    await Promise.all(
      gifts.map(async (g) => {
        const at = await Promise.race([g.overlayAt, sleep(30_000, null)]);
        if (at !== null) overlayMs.push(at - g.sentAt);
      }),
    );
    // The embeds: edits are debounced (1.5 s) and spaced (1 s a channel); give the last gifts time.
    await sleep(10_000);
    const embedMs: number[] = [];
    for (const g of gifts) {
      const editPath = `/channels/${g.server.queueChannel}/messages/${g.server.embedMessage}`;
      const edit = discord.calls.find(
        (c) => c.method === 'PATCH' && c.path === editPath && c.at >= g.sentAt && embedShowsSkip(c, g.title),
      );
      if (edit) embedMs.push(edit.at - g.sentAt);
    }
    // PostgreSQL: how far behind its push each scripted message was stored (its batch's transaction
    // start), by 5-s window of the sending. scriptedLive numbers messages base + 1, 2, … in push order.
    const pushedAt = sql`(${sql.param(tickAt)}::float8[])[(tick + 1)::int]`;
    const lagWindows: string[] = [];
    if (created) {
      const perBatch = servers[0]?.frames[0]?.messages ?? 1;
      const rows = await rowsOf<{ w: number; p50: number; p95: number; max: number }>(
        database.db,
        sql`WITH g AS (
              SELECT * FROM unnest(${sql.param(servers.map((s) => s.guildId))}::text[],
                                   ${sql.param(servers.map((_, i) => String(7_000_000_000_000_000_000n + BigInt(i + 1) * 10_000_000n)))}::numeric[])
                AS g(guild_id, base)
            ), e AS (
              SELECT floor((i.msg_id::numeric - g.base - 1) / ${perBatch}) AS tick,
                extract(epoch FROM i.recorded_at) * 1000 AS at
              FROM interactions i JOIN g USING (guild_id)
              WHERE i.msg_id ~ '^[0-9]+$' AND i.msg_id::numeric - g.base BETWEEN 1 AND ${perBatch * ticks}
            )
            SELECT floor(tick / 50)::int AS w,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY at - ${pushedAt})::float8 AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY at - ${pushedAt})::float8 AS p95,
              max(at - ${pushedAt})::float8 AS max
            FROM e GROUP BY 1 ORDER BY 1`,
      );
      for (const r of rows)
        lagWindows.push(
          `${r.w * 5}–${r.w * 5 + 5} s: p50 ${fmt(r.p50 / 1000, 1)}, p95 ${fmt(r.p95 / 1000, 1)}, max ${fmt(r.max / 1000, 1)} s`,
        );
    }
    // PostgreSQL: when each gift's last message was stored (its transaction's start), the first stage.
    const storedMs: number[] = [];
    if (created && gifts.length > 0) {
      const stored = await rowsOf<{ user_id: string; at: Date }>(
        database.db,
        sql`SELECT tiktok_user_id AS user_id, max(recorded_at) AS at FROM interactions
            WHERE kind = 'gift' AND tiktok_user_id = ANY(${sql.param(
              servers.flatMap((s) => s.probeViewers.map((v) => v.tiktok.userId)),
            )}::text[]) GROUP BY tiktok_user_id`,
      );
      const byUser = new Map(stored.map((r) => [r.user_id, new Date(r.at).getTime()]));
      for (const g of gifts) {
        const at = byUser.get(g.userId);
        if (at !== undefined) storedMs.push(at - g.sentAt);
      }
    }
    // PostgreSQL: the busiest tables' row writes, and how many updates were HOT (no index entries).
    const tableWrites: string[] = [];
    if (created) {
      const rows = await rowsOf<{ relname: string; ins: number; upd: number; hot: number }>(
        database.db,
        sql`SELECT relname, n_tup_ins::float8 AS ins, n_tup_upd::float8 AS upd, n_tup_hot_upd::float8 AS hot
            FROM pg_stat_user_tables ORDER BY n_tup_ins + n_tup_upd DESC LIMIT 4`,
      );
      for (const r of rows)
        tableWrites.push(
          `${r.relname} ${fmt(r.ins, 0)} inserted, ${fmt(r.upd, 0)} updated (${fmt(r.upd > 0 ? (100 * r.hot) / r.upd : 0, 0)}% HOT)`,
        );
    }
    for (const server of servers) server.overlay?.close();
    const probes = await Promise.all(bots.map((bot, p) => probe(bot, probeFiles[p]!)));
    // Every figure the probes gave (the pool's busiest callers among them), for a closer look.
    if (process.env.LOAD_PROBES_OUT)
      await fs.writeFile(process.env.LOAD_PROBES_OUT, JSON.stringify(probes, null, 1));
    // Every process's log, one JSON line each, with the sending's start for reference.
    if (process.env.LOAD_LOGS_DIR)
      for (const [p, bot] of bots.entries())
        await fs.writeFile(
          path.join(process.env.LOAD_LOGS_DIR, `process-${p}.log`),
          [JSON.stringify({ sendingStartedAt: startedWall }), ...bot.logs.map((l) => JSON.stringify(l))].join(
            '\n',
          ),
        );
    const memory = await Promise.all(bots.map((bot) => rssOf(bot.pid)));
    const caughtUpFrom = performance.now();
    let storedCount: number;
    let storedNote: string;
    if (created) {
      storedCount = await countStored();
      while (storedCount < eventsSent && performance.now() - caughtUpFrom < 60_000) {
        await sleep(250);
        storedCount = await countStored();
      }
      storedNote =
        storedCount >= eventsSent
          ? `, all stored ${fmt(((await caughtUp) ?? NaN) / 1000, 1)} s after the sending stopped`
          : ' — the ingest did not catch up within 60 s';
    } else {
      // PGlite belongs to the bot while it runs: stop it (SIGTERM, it finishes its work), then count.
      for (const bot of bots) bot.signal('SIGTERM');
      await Promise.all(bots.map((bot) => bot.exited));
      database = await openDatabase();
      databaseOpen = true;
      storedCount = await countStored();
      storedNote = ` (counted after the bot stopped, ${fmt((performance.now() - caughtUpFrom) / 1000, 1)} s)`;
    }

    const all = [...ackMs.submit, ...ackMs.next].sort((a, b) => a - b);
    const ackWindows = Array.from({ length: Math.ceil(SECONDS / 5) }, (_, w) => {
      const inWindow = slowest
        .filter((x) => x.at >= w * 5000 && x.at < (w + 1) * 5000)
        .map((x) => x.ms)
        .sort((a, b) => a - b);
      return `${w * 5}–${w * 5 + 5} s: p50 ${fmt(percentile(inWindow, 50), 0)}, p99 ${fmt(percentile(inWindow, 99), 0)} ms`;
    });
    const line = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${sorted.length} answered: p50 ${fmt(percentile(sorted, 50), 0)} ms, p99 ${fmt(percentile(sorted, 99), 0)} ms, max ${fmt(sorted.at(-1) ?? NaN, 0)} ms`;
    };
    const seen = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${sorted.length} of ${gifts.length} seen: p50 ${fmt(percentile(sorted, 50), 0)} ms, p95 ${fmt(percentile(sorted, 95), 0)} ms, max ${fmt(sorted.at(-1) ?? NaN, 0)} ms`;
    };
    report(
      `load: ${leg.servers} server${leg.servers === 1 ? '' : 's'} × ${leg.rate} events/s on ${PROCESSES} process${PROCESSES === 1 ? '' : 'es'} (${leg.name}), ${SECONDS} s`,
      [
        ...(created
          ? [
              [
                'LIVEs held, by process',
                bots
                  .map((bot, p) => {
                    // The lease owner is `host:pid:random` (src/features/tiktok/options.ts).
                    const held = holders.find((h) => Number(h.owner.split(':').at(-2)) === bot.pid);
                    return `process ${p}: ${held?.n ?? 0}`;
                  })
                  .join(', ') +
                  ` (one client each for ${SPREAD_STEADY_MS / 1000} s, ${fmt(spreadMs / 1000, 1)} s after start-up)`,
              ] as [string, string],
            ]
          : []),
        [
          'events sent / stored',
          `${eventsSent} in ${fmt(sendingMs / 1000, 1)} s (${fmt(eventsSent / (sendingMs / 1000), 0)}/s) / ${storedCount}${storedNote}`,
        ],
        ['pushes that found no client', String(pushFailures)],
        [
          'clients in the LIVEs’ rooms while sending',
          `${liveClients.min}–${liveClients.max} (one per LIVE: ${leg.servers})`,
        ],
        ...(tableWrites.length > 0
          ? [['rows written, busiest tables', tableWrites.join('; ')] as [string, string]]
          : []),
        ...(lagWindows.length > 0
          ? [['push → stored, by window of the sending', lagWindows.join('; ')] as [string, string]]
          : []),
        ['acknowledgement, all interactions', line(all)],
        [
          '  after the first 5 s (the LIVEs start from idle)',
          line(slowest.filter((x) => x.at >= 5_000).map((x) => x.ms)),
        ],
        ['  /submit', line(ackMs.submit)],
        ['  /next', line(ackMs.next)],
        ['  not acknowledged within 30 s', String(unanswered)],
        ['  by window of the sending', ackWindows.join('; ')],
        [
          '  the 5 slowest (sent at, shard)',
          slowest
            .sort((a, b) => b.ms - a.ms)
            .slice(0, 5)
            .map((x) => `${fmt(x.ms, 0)} ms /${x.command} (${fmt(x.at / 1000, 1)} s, shard ${x.shard})`)
            .join('; '),
        ],
        ...(created ? [['gift → stored (its batch began)', seen(storedMs)] as [string, string]] : []),
        [`gift → overlay event (${measured} servers)`, seen(overlayMs)],
        [`gift → live_queue embed edit`, seen(embedMs)],
        ['gift probes that failed to send', String(giftFailures)],
        [
          `/next left out after gifts (${NEXT_PAUSE_AFTER_GIFT_S} s on measured servers)`,
          String(nextsPaused),
        ],
        [
          'this process (pushes, local Discord)',
          `event-loop delay p99 ${fmt(ownLoop.percentile(99) / 1e6, 0)} ms (max ${fmt(ownLoop.max / 1e6, 0)})`,
        ],
        ['CPU while sending (% of one core)', cpuSending],
        ...bots.flatMap((_, p): [string, string][] => {
          const pool = probes[p]!.pool;
          // PGlite has no pool: its probe has no checkouts to report.
          if (!pool || !created) return [];
          return [
            [
              `process ${p} pool (peak ${pool.peakTotal} open, ${pool.peakWaiting} waiting)`,
              `other: wait ${checkouts(pool.otherWaitMs)}; hold p50 ${fmt(pool.otherHoldMs.p50, 1)}, p99 ${fmt(pool.otherHoldMs.p99, 0)} ms`,
            ],
            [
              `  ingest`,
              `wait ${checkouts(pool.ingestWaitMs)}; hold p50 ${fmt(pool.ingestHoldMs.p50, 1)}, p99 ${fmt(pool.ingestHoldMs.p99, 0)} ms`,
            ],
          ];
        }),
        ...bots.map((bot, p): [string, string] => [
          `process ${p} warnings and errors logged`,
          warningsOf(bot, startedWall),
        ]),
        ...bots.map((bot, p): [string, string] => [
          `process ${p} (shard ${p}, pid ${bot.pid})`,
          `event-loop delay p99 ${fmt(probes[p]!.eventLoopDelayMs.p99, 0)} ms (max ${fmt(probes[p]!.eventLoopDelayMs.max, 0)}), RSS max ${fmt(Math.max(...rssSamples[p]!), 0)} MB, end ${fmt(memory[p]!.rssMb, 0)} MB, peak ${fmt(memory[p]!.hwmMb, 0)} MB`,
        ]),
      ],
    );
    await front.close();
  } finally {
    if (process.env.LOAD_BOT_NODE_OPTIONS) {
      for (const bot of bots) bot.signal('SIGTERM');
      await Promise.race([Promise.all(bots.map((bot) => bot.exited)), sleep(15_000)]);
    }
    await Promise.all(bots.map((bot) => bot.kill()));
    await Promise.all(webcasts.map((w) => w.close()));
    await discord.close();
    if (databaseOpen) await database.close();
    await created?.drop();
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`music-review-bot load — Node ${process.version}, ${new Date().toISOString()}`);
  await runLoadBenchmarks();
}
