import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import {
  launchChromium,
  playerUrl,
  type PageGlobals,
  queueSong,
  screenshot,
  storeUpload,
  toneWav,
  waitForTexts,
} from './page-support.js';

installUnhandledRejectionGuard();

let database: TestDatabase;
let browser: Browser;
let t: TestBot;
let page: Page;

beforeAll(async () => {
  [database, browser] = await Promise.all([openTestDatabase('postgres'), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await database?.close();
});
beforeEach(async () => {
  await database.reset();
  t = await startTestBot({ database });
  page = await browser.newPage();
});
afterEach(async () => {
  await page.close();
  await t.close();
});

it('plays an uploaded WAV from the audio route, which the browser reads with Range requests', async () => {
  const wav = toneWav(2);
  const storedName = await storeUpload(t, wav, 'wav');
  const song = await queueSong(t, { artist: 'Nova', title: 'Demo', file: { storedName } });
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  const url = await playerUrl(t);

  const audioResponse = page.waitForResponse((r) => r.url().includes('/audio/'));
  await page.goto(url);
  await waitForTexts(page, '#song', ['Nova – Demo']);
  const audio = page.locator('#audio');
  expect(await audio.getAttribute('src')).toBe(`${new URL(url).pathname}/audio/${song.id}`);
  expect((await audioResponse).status()).toBe(206);

  await page.mouse.click(1, 1); // a user gesture: Chromium allows play() only after one

  expect(await page.evaluate("document.getElementById('audio').play().then(() => 'playing')")).toBe(
    'playing',
  );
  await page.waitForFunction(
    () => ((globalThis as unknown as PageGlobals).document.getElementById('audio')?.currentTime ?? 0) > 0,
  );
  expect(await page.evaluate("document.getElementById('audio').error")).toBeNull();
  await screenshot(page, 'player-upload');

  const partial = await fetch(`${url}/audio/${song.id}`, { headers: { range: 'bytes=100-199' } });
  expect(partial.status).toBe(206);
  expect(partial.headers.get('content-range')).toBe(`bytes 100-199/${wav.length}`);
  expect(partial.headers.get('content-type')).toBe('audio/wav');
  expect(Buffer.from(await partial.arrayBuffer())).toEqual(wav.subarray(100, 200));
});

it('shows a link as a link opening in a new tab without the page as referrer', async () => {
  await queueSong(t, { artist: 'Linked', title: 'Song' });
  const taken = await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await page.goto(await playerUrl(t));
  await waitForTexts(page, '#song', ['Linked – Song']);
  const link = page.locator('#link');
  expect(await link.getAttribute('href')).toBe(taken!.link);
  expect(await link.getAttribute('target')).toBe('_blank');
  expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
  expect(await page.locator('#audio').isHidden()).toBe(true);
});

it('Next takes the next song as this reviewer: played, audited, shown', async () => {
  await queueSong(t, { artist: 'First', title: 'One' });
  const second = await queueSong(t, { artist: 'Second', title: 'Two' });
  await takeNextForReview(database.db, t.guildId, t.users.admin.id);
  await page.goto(await playerUrl(t));
  await waitForTexts(page, '#song', ['First – One']);
  await waitForTexts(page, '#up-next li', ['FreeSecond – Two']);

  await page.locator('#next').click();
  await waitForTexts(page, '#song', ['Second – Two']);
  await waitForTexts(page, '#status', ['Now reviewing Second – Two.']);
  const [row] = await rowsOf<{ tier: string; played_by: string }>(
    database.db,
    sql`SELECT tier, played_by FROM submissions WHERE id = ${second.id}`,
  );
  expect(row).toEqual({ tier: 'played', played_by: t.users.reviewer.id });
  const audit = await rowsOf<{ actor_id: string }>(
    database.db,
    sql`SELECT actor_id FROM audit_log WHERE action = 'take' AND submission_id = ${second.id}`,
  );
  expect(audit).toEqual([{ actor_id: t.users.reviewer.id }]);
});

it('Remove takes the song under review out of the history, and the page shows nothing under review', async () => {
  const song = await queueSong(t, { artist: 'Troll', title: 'Song' });
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await page.goto(await playerUrl(t));
  await waitForTexts(page, '#song', ['Troll – Song']);

  await page.locator('#remove').click();
  await page.locator('#idle').waitFor({ state: 'visible' });
  const [row] = await rowsOf<{ tier: string; removed_by: string }>(
    database.db,
    sql`SELECT tier, removed_by FROM submissions WHERE id = ${song.id}`,
  );
  expect(row).toEqual({ tier: 'removed', removed_by: t.users.reviewer.id });
});
