/**
 * One HTTP server for `bench/http-server.bench.ts`, in its own process so the load generator does
 * not share its event loop: `tsx bench/http-server-child.ts ours|fastify|hono`. Every kind serves
 * the same two routes: GET /page (a ~5 KB HTML page with a few headers) and POST /api/echo (a JSON
 * body, parsed, answered with a small JSON). Prints `{"url":...}` once listening; stops when its
 * standard input closes.
 */
import { pino } from 'pino';
import { HttpRoutes } from '../src/http/routes.js';
import { startHttpServer } from '../src/http/server.js';

export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Queue</title></head><body><ol>${Array.from(
  { length: 66 },
  (_, i) => `<li class="song"><span>Artist ${i}</span> — <span>Song title ${i}</span></li>`,
).join('')}</ol></body></html>`;

function echo(body: unknown): { ok: true; items: number } {
  const items = (body as { items?: unknown[] }).items;
  return { ok: true, items: Array.isArray(items) ? items.length : 0 };
}

type Started = { url: string; close(): Promise<void> };

async function ours(): Promise<Started> {
  const routes = new HttpRoutes();
  routes.add({
    method: 'GET',
    path: '/page',
    handle: async () => ({ status: 200, body: PAGE, headers: PAGE_HEADERS }),
  });
  routes.add({
    method: 'POST',
    path: '/api/echo',
    handle: async (request) => ({ status: 200, body: echo(JSON.parse(request.body.toString('utf8'))) }),
  });
  return startHttpServer(routes, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
}

async function fastify(): Promise<Started> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/page', async (_request, reply) => reply.headers(PAGE_HEADERS).send(PAGE));
  app.post('/api/echo', async (request) => echo(request.body));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

async function hono(): Promise<Started> {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.get('/page', (c) => c.body(PAGE, 200, PAGE_HEADERS));
  app.post('/api/echo', async (c) => c.json(echo(await c.req.json())));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const KINDS = { ours, fastify, hono };

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2] as keyof typeof KINDS;
  if (!(kind in KINDS)) throw new Error(`choose ${Object.keys(KINDS).join(', ')}`);
  const server = await KINDS[kind]();
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}
