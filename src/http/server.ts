import http from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logging/logger.js';
import { NOT_FOUND, type HttpResponse, type HttpRoutes } from './routes.js';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** How long close() waits for requests already taken in before dropping their connections. */
const CLOSE_GRACE_MS = 5_000;

class BodyTooLargeError extends Error {}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

/** A small HTTP server dispatching to the routes registered at the time of each request. */
export async function startHttpServer(
  routes: HttpRoutes,
  options: { port: number; host?: string | undefined; logger: Logger },
): Promise<RunningHttpServer> {
  // Requests being served (a relayed batch waits for its commit): close() answers them before it drops connections.
  let serving = 0;
  let onIdle: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    serving += 1;
    void serve(routes, req, options.logger)
      .then((response) => send(res, response, req.method === 'HEAD'))
      .finally(() => {
        serving -= 1;
        if (serving === 0) onIdle?.();
      });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeIdleConnections();
      if (serving > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          onIdle = resolve;
          timer = setTimeout(resolve, CLOSE_GRACE_MS);
        });
        clearTimeout(timer);
      }
      // Event streams and keep-alive sockets end here; a response just sent gets a tick to leave.
      await new Promise((resolve) => setImmediate(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The host of the URL this machine reaches the server at: loopback when it listens everywhere
 * (unset, `0.0.0.0`, `::`), else the address it was given, bracketed when IPv6.
 */
function urlHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIPv6(host) ? `[${host}]` : host;
}

async function serve(routes: HttpRoutes, req: http.IncomingMessage, logger: Logger): Promise<HttpResponse> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const candidates = routes.find(url.pathname);
  if (candidates.length === 0) return NOT_FOUND;
  // HEAD is a GET without its body (RFC 9110 §9.3.2): the GET route answers, send() drops the body.
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const match = candidates.find((c) => c.route.method === method);
  if (!match) {
    req.resume();
    const allowed = candidates.flatMap((c) =>
      c.route.method === 'GET' ? ['GET', 'HEAD'] : [c.route.method],
    );
    return {
      status: 405,
      body: { error: 'method not allowed' },
      headers: { allow: allowed.join(', ') },
    };
  }
  let body: Buffer;
  try {
    body = await readBody(req, match.route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { status: 413, body: { error: 'body too large' } };
    throw error;
  }
  try {
    return await match.route.handle({
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body,
      params: match.params,
      remoteAddress: req.socket.remoteAddress ?? '',
    });
  } catch (error) {
    // The route's pattern, not the path: a path may hold a secret (a sign-in link, a page token).
    logger.error({ err: error, route: `${match.route.method} ${match.route.path}` }, 'http route failed');
    return { status: 500, body: { error: 'internal error' } };
  }
}

/** Reads the body, refusing (without buffering the rest) once it passes `limit`. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends the response; to a HEAD request, the same status and headers without the body. */
function send(res: http.ServerResponse, response: HttpResponse, head: boolean): void {
  if (response.body instanceof Readable) {
    res.writeHead(response.status, response.headers);
    if (head) {
      // A file or an event stream is never read: its headers (Content-Length, Content-Range) are set.
      response.body.destroy();
      res.end();
      return;
    }
    // Event streams write nothing until there is news; the client should see the headers at once.
    res.flushHeaders();
    // A client leaving early rejects the pipeline after destroying the body, which is all we need.
    pipeline(response.body, res).catch(() => {});
    return;
  }
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? {});
  res.writeHead(response.status, {
    'content-type': typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...response.headers,
  });
  // Node writes no body for a HEAD request, whatever end() is given.
  res.end(text);
}
