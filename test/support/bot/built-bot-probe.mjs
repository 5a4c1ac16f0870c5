/* global process, WebAssembly */
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
        eventLoopDelayMs: {
          p50: loopDelay.percentile(50) / 1e6,
          p99: loopDelay.percentile(99) / 1e6,
          max: loopDelay.max / 1e6,
        },
      }),
    );
    loopDelay.reset();
  });
}
