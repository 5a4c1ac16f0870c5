import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import type { HttpResponse, HttpRoutes } from './routes.js';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

class BodyTooLargeError extends Error {}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

/** A small HTTP server dispatching to the routes registered at the time of each request. */
export async function startHttpServer(
  routes: HttpRoutes,
  options: { port: number; host?: string; logger: Logger },
): Promise<RunningHttpServer> {
  const server = http.createServer((req, res) => {
    void serve(routes, req, options.logger).then((response) => send(res, response));
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
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function serve(routes: HttpRoutes, req: http.IncomingMessage, logger: Logger): Promise<HttpResponse> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const candidates = routes.find(url.pathname);
  if (candidates.length === 0) return { status: 404, body: { error: 'not found' } };
  const route = candidates.find((r) => r.method === req.method);
  if (!route) {
    req.resume();
    return {
      status: 405,
      body: { error: 'method not allowed' },
      headers: { allow: candidates.map((r) => r.method).join(', ') },
    };
  }
  let body: Buffer;
  try {
    body = await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { status: 413, body: { error: 'body too large' } };
    throw error;
  }
  try {
    return await route.handle({ method: req.method ?? 'GET', url, headers: req.headers, body });
  } catch (error) {
    logger.error({ err: error, path: url.pathname }, 'http route failed');
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

function send(res: http.ServerResponse, response: HttpResponse): void {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? {});
  res.writeHead(response.status, {
    'content-type': typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    ...response.headers,
  });
  res.end(text);
}
