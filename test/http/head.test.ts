import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutesFor } from '../../src/http/routes.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { overlayUrl, queueSong, storeUpload } from '../overlay/page-support.js';
import { signedInStudio } from '../studio/studio-support.js';

installUnhandledRejectionGuard();

let t: TestBot;
let base: string;
let overlay: string;
let studio: string;
let audio: string;
/** The studio session, sent in the raw requests as a browser would. */
let session: Record<string, string>;

beforeAll(async () => {
  t = await startTestBot({ driver: 'pglite' });
  base = httpRoutesFor(t.bot.ctx).url!;
  overlay = await overlayUrl(t);
  const signedIn = await signedInStudio(t);
  studio = `${signedIn.base}/studio`;
  session = { cookie: signedIn.cookie };
  const storedName = await storeUpload(t, Buffer.alloc(1000, 7), 'mp3');
  const song = await queueSong(t, { artist: 'A', title: 'B', file: { storedName } });
  audio = `${studio}/audio/${song.id}`;
});
afterAll(() => t?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** Bytes after the header block, before the server closed the connection. */
  body: Buffer;
}

/**
 * One request over a bare socket, read until the server closes it: unlike fetch, this sees any bytes
 * the server sends after the headers of a HEAD answer.
 */
function rawRequest(method: string, url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(3_000, () => socket.destroy(new Error(`${method} ${pathname}: no end within 3 s`)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers: Object.fromEntries(
          lines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
          }),
        ),
        body: all.subarray(split + 4),
      });
    });
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(
      `${method} ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\n${extra.join('')}Connection: close\r\n\r\n`,
    );
  });
}

/** Headers that describe the representation, not this one exchange. */
function representationHeaders(answer: RawAnswer): Record<string, string> {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = answer.headers;
  return rest;
}

async function expectHeadLikeGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const get = await rawRequest('GET', url, headers);
  const head = await rawRequest('HEAD', url, headers);
  expect(head.status).toBe(get.status);
  expect(representationHeaders(head)).toEqual(representationHeaders(get));
  expect(get.body.length).toBeGreaterThan(0);
  expect(head.body.length).toBe(0);
  return head;
}

describe('HEAD on the pages: the status and headers of GET, without the body', () => {
  it('/healthz', async () => {
    const head = await expectHeadLikeGet(`${base}/healthz`);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/json');
  });

  it('the overlay page', async () => {
    const head = await expectHeadLikeGet(overlay);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/html/);
  });

  it('the studio page, signed in and signed out', async () => {
    const head = await expectHeadLikeGet(studio, session);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/html/);
    expect((await expectHeadLikeGet(studio)).status).toBe(401);
  });

  it('a song file, whole and as a range', async () => {
    const whole = await expectHeadLikeGet(audio, session);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe('1000');
    const part = await expectHeadLikeGet(audio, { ...session, range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/1000');
  });

  it('a wrong page token: the same 404 as GET', async () => {
    const head = await expectHeadLikeGet(`${base}/overlay/not-a-token`);
    expect(head.status).toBe(404);
  });

  it('an event stream answers its headers and ends instead of streaming', async () => {
    const head = await rawRequest('HEAD', `${overlay}/events`);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(head.body.length).toBe(0);
  });

  it('a POST-only path refuses HEAD with 405, and a page names HEAD among its methods', async () => {
    expect((await rawRequest('HEAD', `${studio}/action`, session)).status).toBe(405);
    for (const page of [overlay, `${studio}/events`]) {
      const post = await rawRequest('POST', page, { ...session, 'content-length': '0' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
    }
  });
});
