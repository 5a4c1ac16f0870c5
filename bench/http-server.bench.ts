/**
 * Our hand-written HTTP server (startHttpServer + HttpRoutes) beside fastify and hono (on
 * @hono/node-server), serving the same two routes (bench/http-server-child.ts): what module reload
 * needs of the router, requests/s with p50/p99 latency under a fixed number of keep-alive clients,
 * what each adds to node_modules, and how long its import takes in a fresh Node process.
 *
 *   npm run bench -- http        HTTP_CONNECTIONS=10 HTTP_SECONDS=5 HTTP_ROUNDS=3
 *
 * Each server runs in its own process, the load generator (autocannon) in this one; runs are
 * interleaved (A B C A B C …) so machine noise falls on all three alike. Figures only.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import ts from 'typescript';
import { fmt, median, percentile, report } from './stats.js';

const CONNECTIONS = Number(process.env.HTTP_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.HTTP_SECONDS ?? 5);
const ROUNDS = Number(process.env.HTTP_ROUNDS ?? 3);
const IMPORT_RUNS = Number(process.env.HTTP_IMPORT_RUNS ?? 7);

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const KINDS = ['ours', 'fastify', 'hono'] as const;
type Kind = (typeof KINDS)[number];

/** A JSON body of about 1 KB. */
const POST_BODY = JSON.stringify({
  items: Array.from({ length: 20 }, (_, i) => ({ id: i, title: `Song title number ${i}`, rating: i % 10 })),
});

export async function runHttpServerBenchmarks(): Promise<void> {
  await reloadFindings();
  await load();
  await installSizes();
  await importTimes();
}

async function attempt(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (error) {
    const code = (error as { code?: string }).code;
    return `throws ${code ? `${code}: ` : ''}${(error as Error).message}`;
  }
}

/**
 * What `/admin reload` needs of a router while the server keeps listening: add a route after the
 * first request was matched, remove it, add it again with new code.
 */
async function reloadFindings(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { Hono } = await import('hono');
  const { TrieRouter } = await import('hono/router/trie-router');

  const f = Fastify();
  f.get('/a', async () => 'a');
  await f.listen({ port: 0, host: '127.0.0.1' });
  await f.inject({ url: '/a' });
  const fastifyAdd = await attempt(() => f.get('/b', async () => 'b'));
  const fastifyRegister = await attempt(() =>
    f.register(async (child) => void child.get('/c', async () => 'c')),
  );
  const fastifyRemove = 'removeRoute' in f ? 'has removeRoute' : 'no API to remove a route';
  await f.close();

  const h = new Hono();
  h.get('/a', (c) => c.text('a'));
  await h.request('/a');
  const honoAdd = await attempt(() => h.get('/b', (c) => c.text('b')));
  const trie = new Hono({ router: new TrieRouter() });
  trie.get('/page', (c) => c.text('old code'));
  await trie.request('/page');
  const trieAdd = await attempt(() => trie.get('/page', (c) => c.text('new code')));
  const trieAnswer = await (await trie.request('/page')).text();

  report('HTTP — route changes while serving (what /admin reload needs)', [
    ['ours: add / remove / re-add', 'accepted (a Set looked up on each request)'],
    ['fastify 5: add after listen', fastifyAdd],
    ['fastify 5: register plugin then', fastifyRegister],
    ['fastify 5: remove', fastifyRemove],
    ['hono 4 (default router): add after 1st match', honoAdd],
    ['hono 4 TrieRouter: re-add same path', `${trieAdd}; the path then answers "${trieAnswer}"`],
    ['hono 4: remove', 'no API to remove a route'],
  ]);
}

async function startChild(kind: Kind): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench/http-server-child.ts'), kind],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    lines.close();
    return { url: (JSON.parse(line) as { url: string }).url, child };
  }
  throw new Error(`${kind} server exited before listening`);
}

interface Run {
  perSecond: number;
  latencies: number[];
  failed: number;
}

async function hit(url: string, post: boolean, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  let failed = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: post ? `${url}/api/echo` : `${url}/page`,
        connections: CONNECTIONS,
        duration: seconds,
        ...(post
          ? { method: 'POST' as const, body: POST_BODY, headers: { 'content-type': 'application/json' } }
          : {}),
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    // autocannon's own histogram keeps whole milliseconds; these are fractional.
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
      else failed += 1;
    });
  });
  failed += result.errors + result.timeouts;
  return { perSecond: latencies.length / (result.duration || seconds), latencies, failed };
}

async function load(): Promise<void> {
  const servers = new Map<Kind, { url: string; child: ChildProcess }>();
  for (const kind of KINDS) servers.set(kind, await startChild(kind));
  try {
    const runs = new Map<string, Run[]>();
    for (const post of [false, true]) {
      for (const { url } of servers.values()) await hit(url, post, 1); // warm-up, not counted
      for (let round = 0; round < ROUNDS; round++) {
        for (const [kind, { url }] of servers) {
          const key = `${kind} ${post ? 'POST' : 'GET'}`;
          runs.set(key, [...(runs.get(key) ?? []), await hit(url, post, SECONDS)]);
        }
      }
    }
    const rows: [string, string][] = [];
    for (const post of [false, true]) {
      for (const kind of KINDS) {
        const each = runs.get(`${kind} ${post ? 'POST' : 'GET'}`) ?? [];
        const all = each.flatMap((r) => r.latencies).sort((a, b) => a - b);
        const rates = each.map((r) => fmt(r.perSecond, 0)).join(' / ');
        const failed = each.reduce((n, r) => n + r.failed, 0);
        rows.push([
          `${post ? 'POST /api/echo (1 KB JSON)' : 'GET /page (5 KB HTML)'}  ${kind}`,
          `req/s ${rates} (median ${fmt(median(each.map((r) => r.perSecond)), 0)}); ` +
            `p50 ${fmt(percentile(all, 50), 2)} ms, p99 ${fmt(percentile(all, 99), 2)} ms` +
            (failed ? `; ${failed} failed` : ''),
        ]);
      }
    }
    report(
      `HTTP — ${CONNECTIONS} keep-alive connections, ${ROUNDS} interleaved rounds of ${SECONDS} s, each server in its own process`,
      rows,
    );
  } finally {
    for (const { child } of servers.values()) child.stdin?.end();
  }
}

/** Where `name` resolves from `from`, as Node looks it up (nested node_modules, then upwards). */
async function packageDir(name: string, from: string): Promise<string | null> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (await fs.stat(path.join(candidate, 'package.json')).catch(() => null)) return candidate;
    if (dir === root || dir === path.dirname(dir)) return null;
  }
}

/** Every installed package `names` pull in (dependencies and installed optional ones). */
async function closure(names: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = names.map((name) => ({ name, from: root }));
  while (queue.length) {
    const { name, from } = queue.pop()!;
    const dir = await packageDir(name, from);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      queue.push({ name: dep, from: dir });
    }
  }
  return seen;
}

/** Bytes on disk of a package's own files (its nested node_modules are counted as packages). */
async function ownBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await ownBytes(full);
    else if (entry.isFile()) total += (await fs.stat(full)).size;
  }
  return total;
}

async function installSizes(): Promise<void> {
  const manifest = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const shipped = await closure(Object.keys(manifest.dependencies));
  const rows: [string, string][] = [];
  for (const [label, names] of [
    ['fastify', ['fastify']],
    ['hono + @hono/node-server', ['hono', '@hono/node-server']],
  ] as const) {
    const all = await closure([...names]);
    const added = [...all].filter((dir) => !shipped.has(dir));
    let bytes = 0;
    for (const dir of added) bytes += await ownBytes(dir);
    rows.push([
      label,
      `${all.size} packages, ${added.length} not already installed by the bot's dependencies: ${fmt(bytes / 1e6, 1)} MB`,
    ]);
  }
  rows.push(['ours', '0 packages (src/http/server.ts and routes.ts, about 260 lines)']);
  report('HTTP — what each adds to a production node_modules', rows);
}

/** Our two files compiled to plain JavaScript in a temporary folder, as the build would. */
async function compileOurs(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'http-bench-'));
  await fs.writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
  for (const file of ['server.ts', 'routes.ts']) {
    const source = await fs.readFile(path.join(root, 'src/http', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await fs.writeFile(path.join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  return dir;
}

async function importTimes(): Promise<void> {
  const ours = await compileOurs();
  const run = promisify(execFile);
  // A fresh process each time: what `import` of the server costs the bot's start-up.
  const scripts: Record<Kind, string> = {
    ours: `await import(${JSON.stringify(path.join(ours, 'server.js'))});`,
    fastify: `const { default: F } = await import('fastify'); F();`,
    hono: `const { Hono } = await import('hono'); await import('@hono/node-server'); new Hono();`,
  };
  const times = new Map<string, number[]>();
  const imported = { 'node:http alone (the floor)': `await import('node:http');`, ...scripts };
  try {
    for (let i = 0; i < IMPORT_RUNS; i++) {
      for (const [kind, script] of Object.entries(imported)) {
        const code = `const t = performance.now(); ${script} console.log(performance.now() - t);`;
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: root });
        times.set(kind, [...(times.get(kind) ?? []), Number(stdout.trim())]);
      }
    }
  } finally {
    await fs.rm(ours, { recursive: true, force: true });
  }
  report(
    `HTTP — import (and construct) in a fresh Node process, median of ${IMPORT_RUNS} (interleaved)`,
    [...times].map(([kind, ms]) => [kind, `${fmt(median(ms), 1)} ms`]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runHttpServerBenchmarks();
