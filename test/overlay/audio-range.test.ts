import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { MP3_BYTES, WAV_BYTES } from '../support/audio-samples.js';
import { signedInStudio, type StudioClient } from '../studio/studio-support.js';
import { queueSong, storeUpload } from './page-support.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

/** 1000 distinct-ish bytes, so every slice is recognisable. */
const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

let studio: StudioClient | undefined;

/** The studio path of a new uploaded song; the first call in a test signs the reviewer in. */
async function audioUrl(bytes = BYTES, extension = 'mp3'): Promise<string> {
  const storedName = await storeUpload(t, bytes, extension);
  const song = await queueSong(t, { artist: 'A', title: 'B', file: { storedName } });
  studio = await signedInStudio(t);
  return `/studio/audio/${song.id}`;
}

/** The audio as the studio page's <audio> fetches it: with the session cookie. */
const get = (path: string, range?: string) => studio!.request(path, range ? { headers: { range } } : {});

it('sends the whole file with Accept-Ranges when no range is asked for', async () => {
  const response = await get(await audioUrl());
  expect(response.status).toBe(200);
  expect(response.headers.get('accept-ranges')).toBe('bytes');
  expect(response.headers.get('content-length')).toBe('1000');
  expect(Buffer.from(await response.arrayBuffer())).toEqual(BYTES);
});

it.each([
  ['bytes=0-99', 0, 99],
  ['bytes=990-', 990, 999],
  ['bytes=-10', 990, 999],
  ['bytes=-5000', 0, 999],
  ['bytes=500-5000', 500, 999],
  ['bytes=999-999', 999, 999],
])('answers %s with 206 and exactly those bytes', async (range, start, end) => {
  const response = await get(await audioUrl(), range);
  expect(response.status).toBe(206);
  expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
  expect(response.headers.get('content-length')).toBe(String(end - start + 1));
  expect(Buffer.from(await response.arrayBuffer())).toEqual(BYTES.subarray(start, end + 1));
});

it.each(['bytes=1000-', 'bytes=1500-1600', 'bytes=50-10', 'bytes=abc', 'bytes=-0', 'bytes=-'])(
  'answers %s with 416 and the file size',
  async (range) => {
    const response = await get(await audioUrl(), range);
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  },
);

it.each(['items=0-10', 'bytes=0-1,5-6'])(
  'ignores %s (another unit, several ranges): 200 and the whole file',
  async (range) => {
    const response = await get(await audioUrl(), range);
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(1000);
  },
);

it.each([
  ['mp3', MP3_BYTES, 'audio/mpeg'],
  ['wav', WAV_BYTES, 'audio/wav'],
  ['flac', BYTES, 'audio/flac'],
  ['m4a', BYTES, 'audio/mp4'],
])('serves a stored .%s as %s', async (extension, bytes, type) => {
  const response = await get(await audioUrl(bytes, extension));
  expect(response.headers.get('content-type')).toBe(type);
  await response.body?.cancel();
});

it('never opens a stored path outside the upload flow’s <uuid>.<ext> names', async () => {
  const url = await audioUrl();
  const id = url.split('/').at(-1)!;
  await database.db.execute(
    sql`UPDATE submissions SET file_path = '../../../../etc/passwd' WHERE id = ${Number(id)}`,
  );
  expect((await get(url)).status).toBe(404);
});

it('answers 404 for a link submission, an unknown id and another guild’s song', async () => {
  const url = await audioUrl();
  const link = await queueSong(t, { artist: 'Link', title: 'Only' });
  expect((await get(`/studio/audio/${link.id}`)).status).toBe(404);
  expect((await get('/studio/audio/999999')).status).toBe(404);
  expect((await get('/studio/audio/1e3')).status).toBe(404);
  const id = Number(url.split('/').at(-1));
  await database.db.execute(sql`UPDATE submissions SET guild_id = '1' WHERE id = ${id}`);
  expect((await get(url)).status).toBe(404);
});

it('answers 404 without a session: no cookie, a forged one, or one signed out', async () => {
  const url = await audioUrl();
  expect((await get(url)).status).toBe(200);
  const anonymous = await fetch(`${studio!.base}${url}`, { headers: { range: 'bytes=0-9' } });
  expect(anonymous.status).toBe(404);
  const forged = await fetch(`${studio!.base}${url}`, {
    headers: { cookie: `mrb_studio=${'a'.repeat(43)}` },
  });
  expect(forged.status).toBe(404);
  expect((await studio!.request('/studio/sign-out', { method: 'POST' })).status).toBe(200);
  expect((await get(url)).status).toBe(404);
});
