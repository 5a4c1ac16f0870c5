/* global process, WebAssembly, performance */
/**
 * Preloaded into the built bot by tests and benchmarks that run it as a child process
 * (`node --import <this> dist/main.js`: bench/footprint.bench.ts, test/reliability/failover.test.ts);
 * never part of the shipped bot. Plain JavaScript, so the built bot runs as shipped, without tsx.
 * Every knob is an environment variable read only here, so none of them is a setting of the bot.
 *
 * - On SIGUSR2 it writes where the memory is to MRB_PROBE_FILE (one JSON object): the Node heap
 *   (`process.memoryUsage()`), every live WebAssembly memory (PGlite's heap is one), and the sizes of
 *   the discord.js client's caches; and the event loop's delay (p50, p99, max) since the previous
 *   SIGUSR2 (or the start).
 * - With MRB_PROBE_TIKTOK_HOST=127.0.0.1:port, tiktok-live-connector is pointed at the local webcast
 *   when the bot first loads it: the bot offers no setting for TikTok's own hosts (only the sign
 *   server's), and the library's HTTP client picks https for loopback hosts.
 * - MRB_PROBE_LEASE_TTL_MS and MRB_PROBE_LEASE_RENEW_MS shorten the TikTok LIVE leases (15 s, renewed
 *   every 5 s: src/features/tiktok/options.ts), so a failover after a SIGKILL takes seconds in a test.
 *   Operators have no reason to change them, so they are not settings.
 */
import fs from 'node:fs';
import { registerHooks } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const probeFile = process.env.MRB_PROBE_FILE;
const tiktokHost = process.env.MRB_PROBE_TIKTOK_HOST;
const leaseTimings = {
  ...(process.env.MRB_PROBE_LEASE_TTL_MS ? { leaseTtlMs: Number(process.env.MRB_PROBE_LEASE_TTL_MS) } : {}),
  ...(process.env.MRB_PROBE_LEASE_RENEW_MS
    ? { leaseRenewMs: Number(process.env.MRB_PROBE_LEASE_RENEW_MS) }
    : {}),
};

/** WeakRefs, so the probe never keeps a freed memory (initdb's, on a first start) alive. */
const wasmMemories = [];
const NativeMemory = WebAssembly.Memory;
WebAssembly.Memory = new Proxy(NativeMemory, {
  construct(target, args) {
    const memory = Reflect.construct(target, args);
    wasmMemories.push(new WeakRef(memory));
    return memory;
  },
});

let client;

registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    if (tiktokHost && /\/tiktok-live-connector\/dist\/index\.js$/.test(url)) {
      const patch = `
WebcastWebConfigDefaults.TIKTOK_HOST_WEB = ${JSON.stringify(tiktokHost)};
WebcastWebConfigDefaults.TIKTOK_HOST_WEBCAST = ${JSON.stringify(tiktokHost)};
WebcastHttpClient.prototype.isSecure = () => false;`;
      return { ...result, source: `${String(result.source)}\n${patch}` };
    }
    if (Object.keys(leaseTimings).length > 0 && /\/dist\/features\/tiktok\/options\.js$/.test(url)) {
      // An exported function declaration is a mutable binding of its module: reassigned here, every
      // importer calls the wrapper, which lays the test's timings over the defaults.
      const patch = `
{
  const resolveDefaults = resolveTikTokOptions;
  resolveTikTokOptions = (options) => ({ ...resolveDefaults(options), ...${JSON.stringify(leaseTimings)} });
}`;
      return { ...result, source: `${String(result.source)}\n${patch}` };
    }
    if (probeFile && /\/pg-pool\/index\.js$/.test(url)) {
      // Times each pool checkout: the wait for a connection and how long it is held, by caller.
      const patch = `
{
  const connect = module.exports.prototype.connect;
  module.exports.prototype.connect = function (cb) {
    const record = globalThis.__mrbProbePoolCheckout;
    if (!record) return connect.call(this, cb);
    const done = record(this);
    if (cb) return connect.call(this, (err, client, release) => { done(client); cb(err, client, release); });
    return connect.call(this).then((client) => { done(client); return client; });
  };
}`;
      return { ...result, source: `${String(result.source)}\n${patch}` };
    }
    if (/\/discord\.js\/src\/client\/Client\.js$/.test(url)) {
      // CommonJS: record the client the bot constructs, to count its caches.
      const patch = `
module.exports = class ProbedClient extends module.exports {
  constructor(...args) { super(...args); globalThis.__mrbProbeClient = this; }
};`;
      return { ...result, source: `${String(result.source)}\n${patch}` };
    }
    return result;
  },
});

function cacheSizes() {
  client ??= globalThis.__mrbProbeClient;
  if (!client) return null;
  let members = 0;
  let messages = 0;
  let roles = 0;
  for (const guild of client.guilds.cache.values()) {
    members += guild.members.cache.size;
    roles += guild.roles.cache.size;
  }
  for (const channel of client.channels.cache.values()) messages += channel.messages?.cache.size ?? 0;
  return {
    guilds: client.guilds.cache.size,
    channels: client.channels.cache.size,
    users: client.users.cache.size,
    members,
    roles,
    messages,
  };
}

/** Pool checkouts since the last SIGUSR2: wait and hold times (ms), for the ingest and the rest. */
let checkouts = { ingest: { wait: [], hold: [] }, other: { wait: [], hold: [] } };
let poolPeak = { waiting: 0, total: 0 };
let callers = new Map();
const watchedPools = new WeakSet();
if (probeFile) {
  globalThis.__mrbProbePoolCheckout = (pool) => {
    if (!watchedPools.has(pool)) {
      watchedPools.add(pool);
      pool.on('release', (_err, client) => {
        const held = client.__mrbProbeHeld;
        if (held) {
          const ms = performance.now() - held.at;
          checkouts[held.kind].hold.push(ms);
          const c = callers.get(held.caller) ?? { n: 0, holdMs: 0 };
          c.n += 1;
          c.holdMs += ms;
          callers.set(held.caller, c);
        }
        client.__mrbProbeHeld = undefined;
      });
    }
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    const kind = /ingest-repo|ingest\/pipeline/.test(stack) ? 'ingest' : 'other';
    // The first frames of the bot's own code outside storage/connect: who asked for the connection.
    const frames = stack
      .split('\n')
      .filter((line) => line.includes('/dist/') && !line.includes('/dist/storage/connect.js'))
      .slice(0, 2)
      .map((line) =>
        line
          .trim()
          .replace(/^at /, '')
          .replace(/\(?file:\/\/.*\/dist\//, '')
          .replace(/:\d+\)?$/, ''),
      );
    const caller = frames.join(' < ') || 'unknown';
    poolPeak.waiting = Math.max(poolPeak.waiting, pool.waitingCount);
    poolPeak.total = Math.max(poolPeak.total, pool.totalCount);
    const at = performance.now();
    return (client) => {
      const now = performance.now();
      checkouts[kind].wait.push(now - at);
      if (client) client.__mrbProbeHeld = { kind, caller, at: now };
    };
  };
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN) * 10) / 10;
  return { n: sorted.length, p50: at(50), p99: at(99), max: at(100) };
}

if (probeFile) {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on('SIGUSR2', () => {
    // Under --expose-gc (bench/reload.bench.ts) the heap is measured after a full collection.
    globalThis.gc?.();
    const memory = process.memoryUsage();
    const mb = (n) => Math.round((n / 1048576) * 10) / 10;
    const wasm = wasmMemories.map((ref) => ref.deref()).filter((m) => m !== undefined);
    fs.writeFileSync(
      probeFile,
      JSON.stringify({
        at: Date.now(),
        rssMb: mb(memory.rss),
        heapTotalMb: mb(memory.heapTotal),
        heapUsedMb: mb(memory.heapUsed),
        externalMb: mb(memory.external),
        arrayBuffersMb: mb(memory.arrayBuffers),
        wasmMemoriesMb: wasm.map((m) => mb(m.buffer.byteLength)),
        discordCaches: cacheSizes(),
        pool: {
          peakWaiting: poolPeak.waiting,
          peakTotal: poolPeak.total,
          ingestWaitMs: summary(checkouts.ingest.wait),
          ingestHoldMs: summary(checkouts.ingest.hold),
          otherWaitMs: summary(checkouts.other.wait),
          otherHoldMs: summary(checkouts.other.hold),
          topCallers: [...callers]
            .sort((a, b) => b[1].holdMs - a[1].holdMs)
            .slice(0, 12)
            .map(([caller, c]) => ({ caller, n: c.n, holdMs: Math.round(c.holdMs) })),
        },
        eventLoopDelayMs: {
          p50: loopDelay.percentile(50) / 1e6,
          p99: loopDelay.percentile(99) / 1e6,
          max: loopDelay.max / 1e6,
        },
      }),
    );
    loopDelay.reset();
    checkouts = { ingest: { wait: [], hold: [] }, other: { wait: [], hold: [] } };
    poolPeak = { waiting: 0, total: 0 };
    callers = new Map();
  });
}
