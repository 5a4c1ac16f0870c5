import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkNameLookup, type LinkNameOptions } from '../../src/features/submissions/link-names.js';
import { createLogger } from '../../src/logging/logger.js';
import { startLinkNameServer, type LinkNameServer } from '../support/link-name-server.js';

let platforms: LinkNameServer;

beforeEach(async () => {
  platforms = await startLinkNameServer();
});
afterEach(() => platforms.close());

const song = (n: number) => ({
  url: `https://open.spotify.com/track/${String(n).padStart(22, 'A')}`,
  platform: 'spotify' as const,
});

function lookup(options: LinkNameOptions = {}): LinkNameLookup {
  return new LinkNameLookup({ endpoints: platforms.endpoints, ...options }, createLogger('silent'));
}

function answerAll(count: number): void {
  for (let n = 1; n <= count; n += 1) platforms.answer(song(n).url, { body: { title: `Song ${n}` } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LinkNameLookup', () => {
  it('names a song from the stand-in', async () => {
    answerAll(1);
    expect(await lookup().nameOf(song(1))).toEqual({ artist: 'Unknown artist', title: 'Song 1' });
  });

  it('asks nothing for a link its platform cannot name (Ditto)', async () => {
    expect(await lookup().nameOf({ url: 'https://ditto.fm/nova', platform: 'ditto' })).toBeNull();
    expect(platforms.requests).toEqual([]);
  });

  it('forgets the least recently used answer first when full', async () => {
    answerAll(3);
    const names = lookup({ cacheSize: 2 });
    await names.nameOf(song(1));
    await names.nameOf(song(2));
    await names.nameOf(song(1));
    await names.nameOf(song(3));
    expect(platforms.requests).toHaveLength(3);
    await names.nameOf(song(1));
    expect(platforms.requests).toHaveLength(3);
    await names.nameOf(song(2));
    expect(platforms.requests).toHaveLength(4);
  });

  it('asks again once an answer is older than its time to live', async () => {
    answerAll(1);
    const names = lookup({ cacheTtlMs: 50 });
    await names.nameOf(song(1));
    await names.nameOf(song(1));
    expect(platforms.requests).toHaveLength(1);
    await sleep(80);
    await names.nameOf(song(1));
    expect(platforms.requests).toHaveLength(2);
  });

  it('asks once for the same link asked twice at the same time', async () => {
    platforms.answer(song(1).url, { body: { title: 'Song 1' }, delayMs: 50 });
    const names = lookup();
    const [a, b] = await Promise.all([names.nameOf(song(1)), names.nameOf(song(1))]);
    expect(a).toEqual(b);
    expect(platforms.requests).toHaveLength(1);
  });

  it('remembers that the platform does not know a link (404)', async () => {
    const names = lookup();
    expect(await names.nameOf(song(1))).toBeNull();
    expect(await names.nameOf(song(1))).toBeNull();
    expect(platforms.requests).toHaveLength(1);
  });

  it('asks again after a timeout or a server error, which may pass', async () => {
    platforms.answer(song(1).url, { body: { title: 'Song 1' }, delayMs: 1_000 });
    platforms.answer(song(2).url, { status: 503, body: { error: 'busy' } });
    const names = lookup({ timeoutMs: 100 });
    const started = Date.now();
    expect(await names.nameOf(song(1))).toBeNull();
    expect(Date.now() - started).toBeLessThan(900);
    expect(await names.nameOf(song(2))).toBeNull();
    await sleep(10);
    await names.nameOf(song(1));
    await names.nameOf(song(2));
    expect(platforms.requests).toHaveLength(4);
  });

  it('gives up on an answer far larger than an oEmbed one', async () => {
    platforms.answer(song(1).url, { body: { title: 'Song 1', html: 'x'.repeat(100_000) } });
    expect(await lookup().nameOf(song(1))).toBeNull();
  });

  it('names a link from itself rather than queue more lookups than allowed at once', async () => {
    platforms.answer(song(1).url, { body: { title: 'Song 1' }, delayMs: 100 });
    platforms.answer(song(2).url, { body: { title: 'Song 2' } });
    const names = lookup({ maxInFlight: 1 });
    const [first, second] = await Promise.all([names.nameOf(song(1)), names.nameOf(song(2))]);
    expect(first).toEqual({ artist: 'Unknown artist', title: 'Song 1' });
    expect(second).toBeNull();
    expect(platforms.requests).toHaveLength(1);
  });
});
