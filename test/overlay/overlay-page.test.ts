import type { Browser, Page } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/storage/pg-listener.js';
import { rowsOf } from '../../src/storage/connect.js';
import { moveSubmission } from '../../src/storage/queue-moves.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import {
  launchChromium,
  overlayUrl,
  queueSong,
  screenshot,
  reviewerAnswer,
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
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
});
afterEach(async () => {
  await page.close();
  await t.close();
});

const songs = (...numbers: number[]) => numbers.map((n) => `Artist ${n} – Song ${n}`);

async function queueNumbered(count: number) {
  const queued = [];
  for (let n = 1; n <= count; n++)
    queued.push(await queueSong(t, { artist: `Artist ${n}`, title: `Song ${n}` }));
  return queued;
}

it('shows the song being reviewed and the next five with their tier labels, on a transparent page', async () => {
  t = await startTestBot({ database });
  const queued = await queueNumbered(8);
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await moveSubmission(database.db, t.guildId, queued[7]!.id, 'skip10', t.users.reviewer.id);
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#now-song', songs(1));
  await waitForTexts(page, '#up-next .song', songs(8, 2, 3, 4, 5));
  expect(await page.locator('#up-next .tier').allTextContents()).toEqual([
    '10 Skip',
    'Free',
    'Free',
    'Free',
    'Free',
  ]);
  expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgba(0, 0, 0, 0)');
  await screenshot(page, 'overlay-queue');
});

it('lists as many songs as ?n= asks, up to 20', async () => {
  t = await startTestBot({ database });
  await queueNumbered(22);
  const upNext = page.locator('#up-next .song');
  await page.goto(`${await overlayUrl(t)}?n=2`);
  await waitForTexts(page, '#up-next .song', songs(1, 2));
  expect(await upNext.allTextContents()).toEqual(songs(1, 2));
  await page.goto(`${await overlayUrl(t)}?n=50`);
  const first20 = songs(...Array.from({ length: 20 }, (_, i) => i + 1));
  await waitForTexts(page, '#up-next .song', first20);
  expect(await upNext.allTextContents()).toEqual(first20);
});

it('shows a song submitted with /submit without a reload', async () => {
  t = await startTestBot({ database });
  await queueNumbered(1);
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#up-next .song', songs(1));
  await page.evaluate('window.loadedOnce = true');

  await t.discord
    .slashCommand({
      channelId: t.channels.submissions,
      user: t.users.viewer,
      name: 'submit',
      options: { artist: 'Nova', title: 'Night Drive', link: 'https://youtu.be/dQw4w9WgXcQ' },
    })
    .reply();

  await waitForTexts(page, '#up-next .song', [...songs(1), 'Nova – Night Drive']);
  expect(await page.evaluate('window.loadedOnce')).toBe(true);
  await screenshot(page, 'overlay-after-submit');
});

it('follows /next and reorders without a reload', async () => {
  t = await startTestBot({ database });
  const queued = await queueNumbered(3);
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#up-next .song', songs(1, 2, 3));
  expect(await page.locator('#now').isHidden()).toBe(true);

  await t.discord
    .slashCommand({ channelId: t.channels.reviewers, user: t.users.reviewer, name: 'next' })
    .reply();
  await waitForTexts(page, '#now-song', songs(1));
  await waitForTexts(page, '#up-next .song', songs(2, 3));

  // Written straight to the database: the commit's notification is all the page needs.
  await moveSubmission(database.db, t.guildId, queued[2]!.id, 'skip5', t.users.reviewer.id);
  await waitForTexts(page, '#up-next .song', songs(3, 2));
});

it('follows changes another bot process announces through PostgreSQL NOTIFY', async () => {
  t = await startTestBot({ database, env: { DATABASE_URL: database.url! } });
  await queueNumbered(1);
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#up-next .song', songs(1));
  // The process's one listening connection is up before anything changes.
  await vi.waitFor(
    async () => {
      const [row] = await rowsOf<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
            AND application_name = ${LISTENER_APPLICATION_NAME} AND query LIKE 'LISTEN%'`,
      );
      expect(row?.n).toBe(1);
    },
    { timeout: 10_000 },
  );

  // Another process takes the song: this process hears only the notification.
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await waitForTexts(page, '#now-song', songs(1));
  await waitForTexts(page, '#up-next .song', []);
});

it('reveals a score when a rating is recorded while it is open, not one recorded before it opened', async () => {
  t = await startTestBot({ database });
  await queueNumbered(3);
  const reviewer = (name: string, options: Record<string, string | number | boolean> = {}) =>
    reviewerAnswer(t, name, options);
  await reviewer('next');
  expect(await reviewer('rate', { score: '6' })).toMatch(/6/);
  await reviewer('next');
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#now-song', songs(2));
  expect(await page.locator('#reveal').isHidden()).toBe(true);

  expect(await reviewer('rate', { score: '8.5', verdict: '<i>Lush</i> chorus' })).toMatch(/8\.5/);
  await waitForTexts(page, '#reveal-score', ['8.5/10']);
  expect(await page.locator('#reveal').isVisible()).toBe(true);
  expect(await page.locator('#reveal-song').textContent()).toBe(songs(2)[0]);
  expect(await page.locator('#reveal-verdict').textContent()).toBe('<i>Lush</i> chorus');
  expect(await page.locator('#reveal i').count()).toBe(0);
  await screenshot(page, 'overlay-score-reveal');
});

it('writes titles with markup as text: nothing in them runs', async () => {
  t = await startTestBot({ database });
  await queueSong(t, { artist: '<b>Bold</b>', title: '<script>window.pwned = 1</script>' });
  await queueSong(t, { artist: 'Img', title: '<img src=x onerror="window.pwned = 2">' });
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#up-next .song', [
    '<b>Bold</b> – <script>window.pwned = 1</script>',
    'Img – <img src=x onerror="window.pwned = 2">',
  ]);
  expect(await page.locator('#up-next script, #up-next img, #up-next b').count()).toBe(0);
  expect(await page.evaluate('window.pwned')).toBeUndefined();
});

it('keeps a right-to-left override inside the artist: the title after it is not reversed', async () => {
  t = await startTestBot({ database });
  await queueSong(t, { artist: 'Right\u202Eto left', title: 'Override' });
  await page.goto(await overlayUrl(t));
  await waitForTexts(page, '#up-next .song', ['Right\u202Eto left – Override']);
  const [artistRight, titleLeft] = (await page.evaluate(`(() => {
    const [artist, title] = document.querySelectorAll('#up-next .song bdi');
    return [artist.getBoundingClientRect().right, title.getBoundingClientRect().left];
  })()`)) as [number, number];
  expect(titleLeft).toBeGreaterThan(artistRight);
});

it('answers a wrong token with the same 404 as an unknown path', async () => {
  t = await startTestBot({ database });
  const url = await overlayUrl(t);
  const wrong = url.replace(/\/overlay\/(.)/, (_m, c: string) => `/overlay/${c === 'A' ? 'B' : 'A'}`);
  const response = await page.goto(wrong);
  expect(response?.status()).toBe(404);
  const unknown = await fetch(new URL('/no-such-page', url));
  expect(await response?.text()).toBe(await unknown.text());
});
