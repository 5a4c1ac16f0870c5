import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { HttpRoutes } from '../../src/http/routes.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';

const logger = createLogger('silent');
/** An address of this machine other than loopback, when it has one. */
const otherAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function routes(): HttpRoutes {
  const table = new HttpRoutes();
  table.add({ method: 'GET', path: '/ping', handle: async () => ({ status: 200, body: 'pong' }) });
  return table;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

function port(running: RunningHttpServer): string {
  return new URL(running.url).port;
}

describe('where the HTTP server listens (HTTP_HOST)', () => {
  it('listens on every interface when no host is given, and names loopback in its URL', async () => {
    server = await startHttpServer(routes(), { port: 0, logger });
    expect(server.url).toBe(`http://127.0.0.1:${port(server)}`);
    expect(await answers(`${server.url}/ping`)).toBe(true);
    if (otherAddress) expect(await answers(`http://${otherAddress}:${port(server)}/ping`)).toBe(true);
  });

  it.skipIf(!otherAddress)('with 127.0.0.1 it cannot be reached from another interface', async () => {
    server = await startHttpServer(routes(), { host: '127.0.0.1', port: 0, logger });
    expect(await answers(`${server.url}/ping`)).toBe(true);
    expect(await answers(`http://${otherAddress}:${port(server)}/ping`)).toBe(false);
  });

  it('brackets an IPv6 address in its URL', async () => {
    server = await startHttpServer(routes(), { host: '::1', port: 0, logger });
    expect(server.url).toBe(`http://[::1]:${port(server)}`);
    expect(await answers(`${server.url}/ping`)).toBe(true);
  });
});
