import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { HttpRoutes } from '../../src/http/routes.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it('a route that fails answers 500 and logs its pattern, never the path with its secret', async () => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const routes = new HttpRoutes();
  routes.add({
    method: 'POST',
    path: '/studio/sign-in/:token',
    handle: async () => {
      throw new Error('the database went away');
    },
  });
  server = await startHttpServer(routes, { port: 0, logger });
  const secret = 'S3cr3tSignInToken_abcdefghijklmnopqrstuvwxy';
  const response = await fetch(`${server.url}/studio/sign-in/${secret}`, { method: 'POST' });
  expect(response.status).toBe(500);
  expect(await response.json()).toEqual({ error: 'internal error' });
  const logged = lines.join('');
  expect(logged).toContain('http route failed');
  expect(logged).toContain('POST /studio/sign-in/:token');
  expect(logged).not.toContain(secret);
});
