/**
 * Soak: the shipped bot as a child process against a local Discord and the test PostgreSQL, under one
 * simulated LIVE at SOAK_RATE events/s (signed webhook batches every 100 ms) for SOAK_SECONDS, with
 * SOAK_SUBMITS_PER_MINUTE `/submit`s and a `/next` every SOAK_NEXT_SECONDS, plus a live queue embed.
 * Loopback only; bounded in time and count. Prints a summary table.
 *
 *   npm run soak            (5 minutes)
 *   SOAK_SECONDS=60 SOAK_RATE=2000 npm run soak
 */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTestDatabase } from '../test/support/db/test-database.js';
import type { InteractionHandle } from '../test/support/discord/index.js';
import { BotProcess, startChildWorld, WEBHOOK_SECRET } from '../test/reliability/support/bot-process.js';
import { storedMessageIds } from '../test/reliability/support/ingest-db.js';
import type { RelayedEvent } from '../test/reliability/support/live-script.js';
import { accepted, relayBatch } from '../test/reliability/support/relay.js';

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const SECONDS = num('SOAK_SECONDS', 300);
const RATE = num('SOAK_RATE', 2_000);
const SUBMITS_PER_MINUTE = num('SOAK_SUBMITS_PER_MINUTE', 50);
const NEXT_SECONDS = num('SOAK_NEXT_SECONDS', 10);
const TICK_MS = 100;
/** Requests in flight at most; a batch that finds them all busy counts as not accepted. */
const MAX_IN_FLIGHT = 16;

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Events of a busy LIVE, made as needed: unique ids, 500 viewers, a few gifts and streaks. */
function liveEvents(runId: number) {
  let sequence = 0n;
  const base = 7_000_000_000_000_000_000n + BigInt(runId % 1_000_000) * 100_000_000n;
  const streaks = new Map<number, number>();
  return (count: number): RelayedEvent[] => {
    const at = new Date().toISOString();
    const batch: RelayedEvent[] = [];
    for (let i = 0; i < count; i++) {
      sequence += 1n;
      const n = Number(sequence % 500n);
      const user = {
        userId: String(6_900_000_000_000_000_000n + BigInt(n)),
        handle: `fan.${n}`,
        nickname: `Fan ${n}`,
      };
      const common = { msgId: String(base + sequence), at, user };
      const pick = Number(sequence % 40n);
      if (pick < 14) batch.push({ kind: 'like', ...common, count: 5, total: Number(sequence) });
      else if (pick < 26) batch.push({ kind: 'comment', ...common, text: `great track ${sequence}` });
      else if (pick < 33) batch.push({ kind: 'join', ...common });
      else if (pick < 35) batch.push({ kind: pick === 33 ? 'share' : 'follow', ...common });
      else if (pick < 39) {
        const repeat = (streaks.get(n) ?? 0) + 1;
        const repeatEnd = repeat >= 5;
        streaks.set(n, repeatEnd ? 0 : repeat);
        batch.push({
          kind: 'gift',
          ...common,
          giftId: 5655,
          giftName: 'Rose',
          diamondCount: 1,
          repeatCount: repeat,
          repeatEnd,
          streakable: true,
          groupId: String(base + 90_000_000n + BigInt(n) * 1000n + ((sequence / 10_000n) % 1000n)),
        });
      } else {
        batch.push({ kind: 'viewers', msgId: common.msgId, at, total: 5_000, topViewers: [user] });
      }
    }
    return batch;
  };
}

async function main(): Promise<void> {
  const submitters = Math.ceil((SUBMITS_PER_MINUTE * SECONDS) / 60) + 5;
  const database = await openTestDatabase('postgres');
  const world = await startChildWorld(database.db, { viewers: submitters });
  const bot = await BotProcess.start({
    discord: world.discord,
    databaseUrl: database.url as string,
    dataDir: world.dataDir,
    startTimeoutMs: 60_000,
  }).catch(async (error: unknown) => {
    await world.close();
    await database.close();
    throw error;
  });
  const { discord } = world;
  try {
    const embed = await discord
      .slashCommand({
        channelId: world.channels.submissions,
        user: world.users.admin,
        name: 'admin',
        subcommandGroup: 'embed',
        subcommand: 'create',
        options: { kind: 'live_queue', channel: world.channels.submissions },
      })
      .editReply(0, 15_000);
    console.log(
      `soak: ${SECONDS}s at ${RATE} events/s, ${SUBMITS_PER_MINUTE} /submit a minute, /next every ${NEXT_SECONDS}s`,
    );
    console.log(`embed: ${String(embed.body.content).slice(0, 80)}`);

    const started = Date.now();
    const endAt = started + SECONDS * 1000;
    const next = liveEvents(started);
    const relay = { sent: 0, accepted: 0, refused: 0, skipped: 0, inFlight: 0, requests: 0 };
    const pending = new Set<Promise<void>>();
    const latencies: Record<'submit' | 'next', number[]> = { submit: [], next: [] };
    const failures: string[] = [];
    const rss: { x: number; y: number }[] = [];
    const editsBefore = discord.calls.length;

    // Final answer of a command: its reply, or the edit after a deferral.
    const answer = async (kind: 'submit' | 'next', handle: InteractionHandle, sentAt: number) => {
      try {
        const reply = await handle.reply(30_000);
        if (reply.body.type === 5) await handle.editReply(0, 30_000);
        latencies[kind].push(Date.now() - sentAt);
      } catch (error) {
        failures.push(`${kind}: ${(error as Error).message.split('\n')[0]}`);
      }
    };

    const loops: Promise<void>[] = [];
    // The LIVE: every 100 ms one batch of RATE/10 events.
    loops.push(
      (async () => {
        let carry = 0;
        for (let tick = 0; Date.now() < endAt; tick++) {
          const due = started + tick * TICK_MS;
          if (due > Date.now()) await sleep(due - Date.now());
          carry += (RATE * TICK_MS) / 1000;
          const count = Math.floor(carry);
          carry -= count;
          const events = next(count);
          relay.sent += events.length;
          if (relay.inFlight >= MAX_IN_FLIGHT) {
            relay.skipped += events.length;
            continue;
          }
          relay.inFlight += 1;
          relay.requests += 1;
          const request = relayBatch(bot.url, WEBHOOK_SECRET, world.guildId, events, 30_000).then(
            (outcome) => {
              relay.inFlight -= 1;
              if (accepted(outcome)) relay.accepted += events.length;
              else relay.refused += events.length;
            },
          );
          pending.add(request);
          void request.finally(() => pending.delete(request));
        }
      })(),
    );
    // Viewers submit songs, each viewer once.
    loops.push(
      (async () => {
        const every = 60_000 / SUBMITS_PER_MINUTE;
        for (let i = 0; Date.now() < endAt && i < submitters; i++) {
          const due = started + i * every;
          if (due > Date.now()) await sleep(due - Date.now());
          if (Date.now() >= endAt) break;
          const user = world.users.viewers[i] ?? world.users.admin;
          const sentAt = Date.now();
          const handle = discord.slashCommand({
            channelId: world.channels.submissions,
            user,
            name: 'submit',
            options: {
              artist: `Artist ${i}`,
              title: `Song ${i}`,
              link: `https://youtu.be/${String(i).padStart(11, 'a')}`,
            },
          });
          void answer('submit', handle, sentAt);
        }
      })(),
    );
    // The reviewer takes the next song.
    loops.push(
      (async () => {
        for (let i = 1; ; i++) {
          const due = started + i * NEXT_SECONDS * 1000;
          if (due >= endAt) break;
          await sleep(due - Date.now());
          const sentAt = Date.now();
          const handle = discord.slashCommand({
            channelId: world.channels.reviewers,
            user: world.users.reviewer,
            name: 'next',
          });
          void answer('next', handle, sentAt);
        }
      })(),
    );
    // RSS of the bot every 5 s.
    loops.push(
      (async () => {
        while (Date.now() < endAt) {
          rss.push({ x: (Date.now() - started) / 60_000, y: await rssMb(bot.pid) });
          const left = endAt - Date.now();
          if (left > 0) await sleep(Math.min(5_000, left));
        }
      })(),
    );
    await Promise.all(loops);
    await Promise.all([...pending]);
    await sleep(2_000);
    const elapsedMin = (Date.now() - started) / 60_000;
    rss.push({ x: elapsedMin, y: await rssMb(bot.pid) });

    const stored = (await storedMessageIds(database.db, world.guildId)).size;
    const calls = discord.calls.slice(editsBefore);
    const messageEdits = calls.filter(
      (c) =>
        c.method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(c.path.replace(/^\/api\/v10/, '')),
    );
    const allPatches = calls.filter((c) => c.method === 'PATCH');
    const commands = [...latencies.submit, ...latencies.next];
    const rows: [string, string][] = [
      ['duration', `${(elapsedMin * 60).toFixed(0)} s`],
      ['events sent', String(relay.sent)],
      [
        'events accepted (200 after commit)',
        `${relay.accepted} (${((100 * relay.accepted) / relay.sent).toFixed(2)} %)`,
      ],
      ['events refused / not sent (relay backlog)', `${relay.refused} / ${relay.skipped}`],
      ['events stored (distinct msg ids)', String(stored)],
      ['accepted rate', `${(relay.accepted / (elapsedMin * 60)).toFixed(0)} events/s`],
      ['webhook requests', String(relay.requests)],
      [
        '/submit answered',
        `${latencies.submit.length}, p50 ${percentile(latencies.submit, 50)} ms, p99 ${percentile(latencies.submit, 99)} ms`,
      ],
      [
        '/next answered',
        `${latencies.next.length}, p50 ${percentile(latencies.next, 50)} ms, p99 ${percentile(latencies.next, 99)} ms`,
      ],
      ['all commands p99 / max', `${percentile(commands, 99)} ms / ${Math.max(...commands, 0)} ms`],
      ['command failures', failures.length ? failures.slice(0, 3).join('; ') : '0'],
      [
        'RSS first / max / last',
        `${rss[0]?.y.toFixed(0)} / ${Math.max(...rss.map((r) => r.y)).toFixed(0)} / ${rss.at(-1)?.y.toFixed(0)} MB`,
      ],
      ['RSS trend (least squares)', `${slope(rss).toFixed(1)} MB/min`],
      ['RSS trend, second half', `${slope(rss.filter((r) => r.x >= elapsedMin / 2)).toFixed(1)} MB/min`],
      [
        'Discord message edits (PATCH /channels/…/messages/…)',
        `${messageEdits.length} (${(messageEdits.length / elapsedMin).toFixed(1)}/min)`,
      ],
      [
        'Discord PATCH calls, all',
        `${allPatches.length} (${(allPatches.length / elapsedMin).toFixed(1)}/min)`,
      ],
      [
        'bot warnings / errors logged',
        `${bot.logs.filter((l) => l.level === 40).length} / ${bot.logs.filter((l) => l.level >= 50).length}`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`\n${'metric'.padEnd(width)} | value\n${'-'.repeat(width)}-+-${'-'.repeat(40)}`);
    for (const [k, v] of rows) console.log(`${k.padEnd(width)} | ${v}`);
    console.log(
      `\nRSS samples (min: MB): ${rss.map((r) => `${r.x.toFixed(1)}:${r.y.toFixed(0)}`).join(' ')}`,
    );
    const errors = bot.logs.filter((l) => l.level >= 40).slice(0, 5);
    if (errors.length)
      console.log(`first warnings/errors:\n${errors.map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
  } finally {
    bot.signal('SIGTERM');
    const exit = await Promise.race([bot.exited, sleep(15_000).then(() => null)]);
    if (!exit) await bot.kill();
    console.log(`bot exit: ${exit ? `code ${exit.code}` : 'killed after 15 s'}`);
    await world.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
