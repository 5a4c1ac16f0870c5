/**
 * Footprint of the built bot (`node dist/main.js`) as its own process against the local Discord: how
 * long from the start command to the first answered /submit, and its resident memory (VmRSS, and the
 * peak VmHWM, from /proc) after start-up and with a 10,000-song queue while a TikTok LIVE sends events
 * through the offline webcast. On PostgreSQL (a throwaway database) and on the embedded PGlite.
 *
 *   npm run bench -- footprint          or   npx tsx bench/footprint.bench.ts
 *   FOOTPRINT_DATABASES=pglite FOOTPRINT_LIVE_SECONDS=60 npx tsx bench/footprint.bench.ts
 *   FOOTPRINT_ENTRIES=before=/tmp/old/dist/main.js,after=dist/main.js  (interleaved, same run)
 *
 * Build first (`npm run build`). Figures only; a missed target is printed, not failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { InteractionHandle } from '../test/support/discord/index.js';
import { connectDatabase, rowsOf, type Database } from '../src/storage/connect.js';
import { setGuildField } from '../src/storage/guild-config-repo.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import {
  chat,
  gift,
  join,
  like,
  roomUser,
  share,
  type Sender,
} from '../test/support/tiktok/local-webcast.js';
import {
  startLocalWebcast,
  type LocalWebcast,
  type WebcastTestMessage,
} from '../test/support/tiktok/local-webcast.js';
import { fmt, median, report } from './stats.js';
import { footprintWorld, type FootprintWorld } from './footprint-world.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = path.join(REPO_ROOT, 'test', 'support', 'bot', 'built-bot-probe.mjs');
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const QUEUED = num('FOOTPRINT_QUEUE', 10_000);
const LIVE_SECONDS = num('FOOTPRINT_LIVE_SECONDS', 30);
const RATE = num('FOOTPRINT_RATE', 200);
/** /submit during the LIVE, one per viewer, on top of the seeded queue. */
const SUBMITS = num('FOOTPRINT_SUBMITS', 40);
const TARGET_RSS_MB = 200;
const TARGET_START_MS = 3_000;
const DATABASES = (process.env.FOOTPRINT_DATABASES ?? 'postgres,pglite').split(',') as Kind[];
const ENTRIES = (process.env.FOOTPRINT_ENTRIES ?? 'dist=dist/main.js').split(',').map((spec) => {
  const [label, entry] = spec.includes('=') ? spec.split('=') : [spec, spec];
  return { label: label as string, entry: path.resolve(REPO_ROOT, entry as string) };
});

type Kind = 'postgres' | 'pglite';
type Memory = { rssMb: number; hwmMb: number };
export type Probe = {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  wasmMemoriesMb: number[];
  discordCaches: Record<string, number> | null;
};

async function memoryOf(pid: number): Promise<Memory> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** The bot as `node [--import probe] <entry>`, its output kept for a failure message. */
export class BotChild {
  output = '';
  readonly startedAt = performance.now();
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly probeFile: string | null,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static spawn(
    entry: string,
    env: Record<string, string>,
    probe: { file: string; tiktokHost?: string } | null,
    nodeOptions: string[] = [],
  ): BotChild {
    const args = [...nodeOptions, ...(probe ? ['--import', PROBE] : []), entry];
    const child = spawn(process.execPath, args, {
      cwd: path.dirname(path.dirname(entry)),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        NODE_ENV: 'production',
        HTTP_PORT: '0',
        LOG_LEVEL: 'info',
        ...env,
        ...(probe ? { MRB_PROBE_FILE: probe.file } : {}),
        ...(probe?.tiktokHost ? { MRB_PROBE_TIKTOK_HOST: probe.tiktokHost } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new BotChild(child, probe?.file ?? null);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async probe(): Promise<Probe | null> {
    if (!this.probeFile) return null;
    await fs.rm(this.probeFile, { force: true });
    this.child.kill('SIGUSR2');
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      const text = await fs.readFile(this.probeFile, 'utf8').catch(() => null);
      if (text) return JSON.parse(text) as Probe;
    }
    return null;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const code = await Promise.race([this.exited, sleep(20_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** The interaction's final answer: the reply, or the edit after a deferral. */
async function answer(handle: InteractionHandle): Promise<string> {
  const reply = await handle.reply(30_000);
  if (reply.body.type !== 5) return String(reply.body.data.content);
  return String((await handle.editReply(0, 30_000)).body.content);
}

/**
 * Spawn to the first answered interaction: the bot registers its commands once its modules are
 * loaded, then a /submit goes in and the clock stops at the answer ("Queued …" edit of the reply).
 */
async function startAndAnswer(
  world: FootprintWorld,
  bot: BotChild,
  submitter: number,
): Promise<{ registeredMs: number; answeredMs: number }> {
  const { discord } = world;
  const before = discord.callsTo('PUT', /\/applications\/\d+\/commands$/).length;
  for (;;) {
    if (discord.callsTo('PUT', /\/applications\/\d+\/commands$/).length > before) break;
    if (bot.child.exitCode !== null) throw new Error(`the bot exited during start-up\n${bot.output}`);
    if (performance.now() - bot.startedAt > 60_000) throw new Error(`no start within 60 s\n${bot.output}`);
    await sleep(5);
  }
  const registeredMs = performance.now() - bot.startedAt;
  const content = await answer(world.submit(submitter));
  if (!/Queued/.test(content)) throw new Error(`unexpected answer: ${content}`);
  return { registeredMs, answeredMs: performance.now() - bot.startedAt };
}

/** A realistic 10k queue: mostly Free with scores from points, some paid skips and pending requests. */
async function seedQueue(database: Database, world: FootprintWorld, count: number): Promise<void> {
  const guild = world.guildId;
  await setGuildField(database.db, guild, 'submissionChannelId', world.channels.submissions);
  await setGuildField(database.db, guild, 'reviewerChannelId', world.channels.reviewers);
  await setGuildField(database.db, guild, 'reviewerRoleId', world.reviewerRoleId);
  const tiers = sql.param(['skip25', 'skip20', 'skip15', 'skip10', 'skip5', 'pending', 'free']);
  await database.db.execute(sql`
    INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform, tier, skip_amount,
                             requested_skip_amount, score, submitted_at, tier_since)
    SELECT ${guild}, (410000000000000000 + g)::text, 'Artist ' || g, 'Song number ' || g,
           'https://soundcloud.com/artist-' || g || '/song-' || g, 'soundcloud',
           t.tier, CASE WHEN t.tier LIKE 'skip%' THEN substr(t.tier, 5)::int ELSE 0 END,
           CASE WHEN t.tier = 'pending' THEN 5 END, g % 997,
           now() - (g % 86400) * interval '1 second', now() - (g % 3600) * interval '1 second'
    FROM generate_series(1, ${count}) g,
         LATERAL (SELECT (${tiers}::text[])[CASE WHEN g % 20 < 5 THEN 1 + g % 20 WHEN g % 20 = 5 THEN 6 ELSE 7 END] AS tier) t`);
  await database.db.execute(sql`
    INSERT INTO user_points (guild_id, discord_user_id, points)
    SELECT ${guild}, (410000000000000000 + g)::text, g % 997 FROM generate_series(1, ${count}) g`);
  await database.db.execute(sql`VACUUM ANALYZE submissions`);
}

/** A busy LIVE as webcast messages: likes, comments, joins, shares, Rose streaks and viewer counts. */
function liveMessages(count: number, offset: number): WebcastTestMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const viewer: Sender = {
      userId: String(6_900_000_000_000_000_000n + BigInt(n % 500)),
      handle: `fan.${n % 500}`,
    };
    switch (n % 20) {
      case 0:
        return roomUser({ total: 5_000, topViewers: [viewer] });
      case 1:
      case 2:
        return gift({
          ...viewer,
          giftId: 5655,
          giftName: 'Rose',
          diamondCount: 1,
          type: 1,
          repeatCount: 1 + (n % 5),
          repeatEnd: n % 5 === 4,
          groupId: String(9_000_000n + BigInt(n % 500)),
        });
      case 3:
        return share(viewer);
      case 4:
      case 5:
      case 6:
        return join(viewer);
      case 7:
      case 8:
      case 9:
      case 10:
      case 11:
        return chat({ ...viewer, text: `great track ${n}` });
      default:
        return like({ ...viewer, count: 5, total: n });
    }
  });
}

type LiveRun = {
  afterStart: Memory;
  samples: number[];
  end: Memory;
  probe: Probe | null;
  eventsSent: number;
  submitMs: number[];
  queueMs: number[];
};

/** Connects the LIVE, then for LIVE_SECONDS: RATE events/s, /submits, a /queue every 5 s; RSS each second. */
async function runLive(world: FootprintWorld, bot: BotChild, webcast: LocalWebcast): Promise<LiveRun> {
  const afterStart = await memoryOf(bot.pid);
  const { discord } = world;
  const admin = (subcommandGroup: string, subcommand: string, options: Record<string, string>) =>
    answer(
      discord.slashCommand({
        channelId: world.channels.reviewers,
        user: world.admin,
        name: 'admin',
        subcommandGroup,
        subcommand,
        options,
      }),
    );
  await admin('embed', 'create', { kind: 'live_queue', channel: world.channels.submissions });
  const connected = await admin('tiktok', 'connect', { username: webcast.handle });
  for (let waited = 0; webcast.connectedClients === 0; waited += 50) {
    if (waited > 20_000) throw new Error(`the LIVE did not connect: ${connected}\n${bot.output}`);
    await sleep(50);
  }
  const samples: number[] = [];
  const submitMs: number[] = [];
  const queueMs: number[] = [];
  let eventsSent = 0;
  const started = performance.now();
  const endAt = started + LIVE_SECONDS * 1000;
  const pending: Promise<unknown>[] = [];
  const timedAnswer = (into: number[], handleOf: () => ReturnType<FootprintWorld['submit']>) => {
    const t = performance.now();
    const h = handleOf();
    pending.push(
      answer(h)
        .then(() => into.push(performance.now() - t))
        .catch(() => undefined),
    );
  };
  for (let tick = 0; performance.now() < endAt; tick++) {
    const due = started + tick * 100;
    if (due > performance.now()) await sleep(due - performance.now());
    const count = Math.round(RATE / 10);
    await webcast.push(liveMessages(count, eventsSent));
    eventsSent += count;
    if (tick % 10 === 0) samples.push((await memoryOf(bot.pid)).rssMb);
    const every = Math.max(1, Math.floor((LIVE_SECONDS * 10) / SUBMITS));
    if (tick % every === 0 && tick / every < SUBMITS)
      timedAnswer(submitMs, () => world.submit(1 + tick / every));
    if (tick % 50 === 25)
      timedAnswer(queueMs, () =>
        discord.slashCommand({
          channelId: world.channels.submissions,
          user: world.viewers[0]!,
          name: 'queue',
        }),
      );
  }
  await Promise.all(pending);
  await sleep(2_000);
  const probe = await bot.probe();
  const end = await memoryOf(bot.pid);
  samples.push(end.rssMb);
  return { afterStart, samples, end, probe, eventsSent, submitMs, queueMs };
}

type Outcome = {
  fresh: { registeredMs: number; answeredMs: number; memory: Memory };
  restart: { registeredMs: number; answeredMs: number; memory: Memory };
  live: LiveRun;
  eventsStored: number;
};

async function measure(kind: Kind, entry: string): Promise<Outcome> {
  const world = await footprintWorld(SUBMITS + 5);
  const webcast = await startLocalWebcast({ handle: 'footprint.live' });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-footprint-'));
  const created = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const env: Record<string, string> = {
    DISCORD_BOT_TOKEN: world.discord.token,
    DISCORD_API_URL: world.discord.apiUrl,
    DATA_DIR: dataDir,
    TIKTOK_SIGN_API_URL: `http://${webcast.host}`,
    ...(created ? { DATABASE_URL: created.url } : {}),
  };
  const open = () =>
    connectDatabase(created ? { databaseUrl: created.url } : { pgliteDir: path.join(dataDir, 'db') });
  const bots: BotChild[] = [];
  try {
    // 1. A fresh install: empty database (PGlite creates its cluster), no probe.
    const first = BotChild.spawn(entry, env, null);
    bots.push(first);
    const freshTimes = await startAndAnswer(world, first, 0);
    await sleep(2_000);
    const freshMemory = await memoryOf(first.pid);
    await first.stop();

    // 2. The queue grows to QUEUED songs (SQL in this process; PGlite allows one process at a time).
    const database = await open();
    try {
      await seedQueue(database, world, QUEUED - SUBMITS - 1);
    } finally {
      await database.close();
    }

    // 3. A restart on that data, no probe.
    const second = BotChild.spawn(entry, env, null);
    bots.push(second);
    const restartTimes = await startAndAnswer(world, second, SUBMITS + 1);
    await sleep(2_000);
    const restartMemory = await memoryOf(second.pid);
    await second.stop();

    // 4. Again with the probe, and a LIVE.
    const third = BotChild.spawn(entry, env, {
      file: path.join(dataDir, 'probe.json'),
      tiktokHost: webcast.host,
    });
    bots.push(third);
    await startAndAnswer(world, third, SUBMITS + 2);
    await sleep(2_000);
    const live = await runLive(world, third, webcast);
    await third.stop();

    const after = await open();
    try {
      const [row] = await rowsOf<{ n: number }>(after.db, sql`SELECT count(*)::int AS n FROM interactions`);
      return {
        fresh: { ...freshTimes, memory: freshMemory },
        restart: { ...restartTimes, memory: restartMemory },
        live,
        eventsStored: row?.n ?? 0,
      };
    } finally {
      await after.close();
    }
  } finally {
    for (const bot of bots) if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await webcast.close();
    await world.close();
    await created?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const mb = (n: number) => `${fmt(n, 0)} MB`;
const secs = (ms: number) => `${fmt(ms / 1000, 2)} s`;
const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');

function print(kind: Kind, label: string, o: Outcome): void {
  const l = o.live;
  const maxRss = Math.max(...l.samples);
  const rssTarget =
    kind === 'postgres'
      ? ` — target ≤ ${TARGET_RSS_MB} MB: ${verdict(Math.max(maxRss, l.end.hwmMb) <= TARGET_RSS_MB)}`
      : '';
  const startTarget =
    kind === 'postgres'
      ? ` — target ≤ ${TARGET_START_MS / 1000} s: ${verdict(o.fresh.answeredMs <= TARGET_START_MS && o.restart.answeredMs <= TARGET_START_MS)}`
      : '';
  const p = l.probe;
  report(`footprint: ${kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite'} [${label}]`, [
    [
      'fresh start → commands registered / first /submit answered',
      `${secs(o.fresh.registeredMs)} / ${secs(o.fresh.answeredMs)}${startTarget}`,
    ],
    [
      `restart with ${fmt(QUEUED, 0)} queued → registered / answered`,
      `${secs(o.restart.registeredMs)} / ${secs(o.restart.answeredMs)}`,
    ],
    ['RSS / peak after a fresh start', `${mb(o.fresh.memory.rssMb)} / ${mb(o.fresh.memory.hwmMb)}`],
    [
      `RSS / peak after a restart, ${fmt(QUEUED, 0)} queued`,
      `${mb(o.restart.memory.rssMb)} / ${mb(o.restart.memory.hwmMb)}`,
    ],
    [
      `LIVE ${LIVE_SECONDS} s at ${RATE} events/s: RSS start / max / end`,
      `${mb(l.afterStart.rssMb)} / ${mb(maxRss)} / ${mb(l.end.rssMb)}`,
    ],
    ['LIVE: peak (VmHWM) of that process', `${mb(l.end.hwmMb)}${rssTarget}`],
    ['LIVE: events sent / stored', `${l.eventsSent} / ${o.eventsStored}`],
    [
      'LIVE: /submit answered, median / max',
      `${l.submitMs.length}, ${fmt(median(l.submitMs), 0)} / ${fmt(Math.max(...l.submitMs, 0), 0)} ms`,
    ],
    [
      'LIVE: /queue answered, median / max',
      `${l.queueMs.length}, ${fmt(median(l.queueMs), 0)} / ${fmt(Math.max(...l.queueMs, 0), 0)} ms`,
    ],
    [
      'where it is (end of LIVE): Node heap used / total, external, arrayBuffers',
      p ? `${mb(p.heapUsedMb)} / ${mb(p.heapTotalMb)}, ${mb(p.externalMb)}, ${mb(p.arrayBuffersMb)}` : 'n/a',
    ],
    ['  WebAssembly memories (PGlite)', p ? p.wasmMemoriesMb.map(mb).join(', ') || 'none' : 'n/a'],
    [
      '  discord.js caches',
      p?.discordCaches
        ? Object.entries(p.discordCaches)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : 'n/a',
    ],
  ]);
}

export async function runFootprintBenchmarks(): Promise<void> {
  for (const kind of DATABASES) {
    for (const { label, entry } of ENTRIES) {
      print(kind, label, await measure(kind, entry));
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`music-review-bot footprint — Node ${process.version}, ${new Date().toISOString()}`);
  await runFootprintBenchmarks();
}
