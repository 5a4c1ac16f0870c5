import type { APIUser } from 'discord-api-types/v10';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { issuePageToken } from '../../src/overlay/tokens.js';
import { pageToken } from '../../src/storage/overlay-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { moveSubmission } from '../../src/storage/queue-moves.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import {
  commandAnswer,
  launchChromium,
  queueSong,
  screenshot,
  urlIn,
  reviewerAnswer,
  waitForTexts,
} from './page-support.js';
import { openEventStream } from './sse-reader.js';

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
  // An iPhone 12–15 sized screen: the page is for viewers on their phones.
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
});
afterEach(async () => {
  await page.close();
  await t.close();
});

const publicPage = (subcommand: 'on' | 'off' | 'rotate') =>
  commandAnswer(t, { name: 'admin', subcommandGroup: 'public-page', subcommand });

async function turnOn(): Promise<string> {
  return urlIn((await publicPage('on')).content);
}

/** What /queue answers, as the viewer sees it. */
async function queueReply(): Promise<string> {
  const { body } = await t.discord
    .slashCommand({ channelId: t.channels.general, user: t.users.viewer, name: 'queue' })
    .reply();
  return String(body.data.content ?? '');
}

/**
 * A member of the server with this nickname, whom the bot has seen (they ran /queue, so Discord sent
 * their member data with the command, as it does with /submit).
 */
async function seenMember(username: string, names: { nick?: string; globalName?: string }): Promise<APIUser> {
  const { user } = t.discord.addMember(t.guildId, {
    user: { username, ...(names.globalName ? { globalName: names.globalName } : {}) },
    ...(names.nick ? { nick: names.nick } : {}),
  });
  await t.discord.slashCommand({ channelId: t.channels.general, user, name: 'queue' }).reply();
  return user;
}

/** No part of the page reaches past the right edge of the screen (nothing to scroll sideways). */
async function overflowsSideways(): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
}

it('is off until an admin turns it on, and answers 404 like an unknown path once turned off', async () => {
  t = await startTestBot({ database });
  expect(await queueReply()).toBe('');
  const url = await turnOn();
  expect(url).toMatch(/\/queue\/[A-Za-z0-9_-]{43}$/);
  expect(url).not.toContain(t.guildId);
  expect((await fetch(url)).status).toBe(200);
  expect(await queueReply()).toBe(`Follow the queue live: <${url}>`);
  // Asking again shows the same link: turning it on twice draws no new one.
  expect(urlIn((await publicPage('on')).content)).toBe(url);

  await page.goto(url);
  await waitForTexts(page, '#waiting-title', ['Up next (0 waiting)']);
  expect((await publicPage('off')).content).toContain('is off');

  await waitForTexts(page, '#status', [
    'This queue page is no longer available. Ask in the Discord server for the current link.',
  ]);
  const unknown = await fetch(new URL('/no-such-page', url));
  for (const gone of [url, `${url}/events`]) {
    const response = await fetch(gone);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(await unknown.clone().text());
  }
  expect(await queueReply()).toBe('');
  expect((await publicPage('off')).content).toContain('already off');
  // Rotating a page that is off leaves it off.
  expect((await publicPage('rotate')).content).toBe(
    'The public queue page is off, so it has no link to replace. `/admin public-page on` turns it on.',
  );
  expect(await queueReply()).toBe('');
  // Turning on (once, though asked twice) and off are audited; the second off changed nothing.
  const audited = await rowsOf<{ actor_id: string; details: unknown }>(
    database.db,
    sql`SELECT actor_id, details FROM audit_log WHERE action = 'config_set' ORDER BY id`,
  );
  expect(audited).toEqual(
    ['on', 'off'].map((to) => ({ actor_id: t.users.admin.id, details: { key: 'public_url', to } })),
  );
  const { body } = await t.discord
    .slashCommand({ channelId: t.channels.general, user: t.users.admin, name: 'admin', subcommand: 'audit' })
    .reply();
  expect(JSON.stringify(body.data)).toContain('Public queue page: off');
});

it('/queue gives no link while nothing serves the page (the overlay module not loaded)', async () => {
  t = await startTestBot({
    database,
    modules: new Map([...FEATURE_MODULES].filter(([name]) => name !== 'overlay')),
  });
  await pageToken(database.db, { guildId: t.guildId, page: 'public', ownerId: '' }, issuePageToken());
  expect(await queueReply()).toBe('');
});

it('shows the song under review, the queue with tiers and nicknames, and the songs played last', async () => {
  t = await startTestBot({ database });
  const nova = await seenMember('nova_1999', { nick: 'DJ Nova' });
  const rio = await seenMember('rio', { globalName: 'Rio G' });
  await queueSong(t, { artist: 'Mira', title: 'Paper Moon' });
  await queueSong(t, { artist: 'Otto', title: 'Low Tide' });
  await queueSong(t, { artist: 'Nova', title: 'Night Drive', submitterId: nova.id });
  const byRio = await queueSong(t, { artist: 'Rio', title: 'Harbour Lights', submitterId: rio.id });
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await moveSubmission(database.db, t.guildId, byRio.id, 'skip10', t.users.reviewer.id);

  await page.goto(await turnOn());
  await waitForTexts(page, '#now-card .song', ['Otto – Low Tide']);
  // Someone the bot has not seen in this server is "a viewer".
  expect(await page.locator('#now-card .by').allTextContents()).toEqual(['sent by a viewer']);
  expect(await page.locator('#queue .song').allTextContents()).toEqual([
    '10 SkipRio – Harbour Lights',
    'FreeNova – Night Drive',
  ]);
  // A member's server nickname, else their Discord display name.
  expect(await page.locator('#queue .by').allTextContents()).toEqual(['sent by Rio G', 'sent by DJ Nova']);
  expect(await page.locator('#queue .place').allTextContents()).toEqual(['1', '2']);
  expect(await page.locator('#waiting-title').textContent()).toBe('Up next (2 waiting)');
  expect(await page.locator('#played .song').allTextContents()).toEqual(['Mira – Paper Moon']);
  expect(await overflowsSideways()).toBe(false);
  await screenshot(page, 'public-page-phone');
});

it('sends viewers no Discord ids: not the submitters’, the reviewer’s or the server’s', async () => {
  t = await startTestBot({ database });
  const nova = await seenMember('nova', { nick: 'DJ Nova' });
  await queueSong(t, { artist: 'Nova', title: 'Night Drive', submitterId: nova.id });
  const stranger = await queueSong(t, { artist: 'Mira', title: 'Paper Moon' });
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  const url = await turnOn();
  const html = await (await fetch(url)).text();
  const stream = await openEventStream(`${url}/events`);
  const received = await stream.until(']}\n\n');
  stream.close();
  for (const id of [nova.id, stranger.submitterId, t.users.reviewer.id, t.guildId]) {
    expect(received).not.toContain(id);
    expect(html).not.toContain(id);
  }
});

it('follows /next in the local Discord without a reload', async () => {
  t = await startTestBot({ database });
  await queueSong(t, { artist: 'Artist 1', title: 'Song 1' });
  await queueSong(t, { artist: 'Artist 2', title: 'Song 2' });
  await page.goto(await turnOn());
  await waitForTexts(page, '#queue .song', ['FreeArtist 1 – Song 1', 'FreeArtist 2 – Song 2']);
  expect(await page.locator('#now').isHidden()).toBe(true);
  await page.evaluate('window.loadedOnce = true');

  await t.discord
    .slashCommand({ channelId: t.channels.reviewers, user: t.users.reviewer, name: 'next' })
    .reply();
  await waitForTexts(page, '#now-card .song', ['Artist 1 – Song 1']);
  await waitForTexts(page, '#queue .song', ['FreeArtist 2 – Song 2']);

  await t.discord
    .slashCommand({ channelId: t.channels.reviewers, user: t.users.reviewer, name: 'next' })
    .reply();
  await waitForTexts(page, '#now-card .song', ['Artist 2 – Song 2']);
  await waitForTexts(page, '#played .song', ['Artist 1 – Song 1']);
  expect(await page.locator('#no-songs').isVisible()).toBe(true);
  expect(await page.evaluate('window.loadedOnce')).toBe(true);
});

it('shows the score and verdict of a song rated after it was played', async () => {
  t = await startTestBot({ database });
  const first = await queueSong(t, { artist: 'Artist 1', title: 'Song 1' });
  await queueSong(t, { artist: 'Artist 2', title: 'Song 2' });
  await page.goto(await turnOn());
  const reviewer = (name: string, options: Record<string, string | number | boolean> = {}) =>
    reviewerAnswer(t, name, options);
  await reviewer('next');
  expect(await reviewer('rate', { score: '8.5', verdict: '<b>Warm</b> mix' })).toMatch(/8\.5/);
  await reviewer('next');
  await waitForTexts(page, '#played .song', ['Artist 1 – Song 1']);
  await waitForTexts(page, '#played .review', ['8.5/10 <b>Warm</b> mix']);
  await screenshot(page, 'public-page-rated');
  // A correction (score and verdict given anew, here without a verdict) reaches the open page too.
  expect(await reviewer('rate', { score: '9', correct: true, id: first.id })).toMatch(/9/);
  await waitForTexts(page, '#played .review', ['9/10']);
});

it('writes hostile titles and nicknames as text: nothing runs, bidi overrides stay inside, the phone layout holds', async () => {
  t = await startTestBot({ database });
  const hostile = await seenMember('hostile', { nick: '<img src=x onerror="window.pwned=3">' });
  // Discord caps nicknames at 32 characters, but the local one does not: a 2,000-character name.
  const long = await seenMember('long', { nick: 'N'.repeat(2_000) });
  await queueSong(t, { artist: '"><img src=x onerror="window.pwned = 2">', title: 'Quote' });
  await queueSong(t, { artist: 'Right\u202Eto left', title: 'Override' });
  // Artist and title hold at most 200 characters (the database's CHECK): the longest it takes.
  await queueSong(t, { artist: 'W'.repeat(200), title: 'x'.repeat(200) });
  await queueSong(t, { artist: '<script>window.pwned = 1</script>', title: 'Tag', submitterId: hostile.id });
  await queueSong(t, { artist: 'Long', title: 'Name', submitterId: long.id });

  await page.goto(await turnOn());
  await waitForTexts(page, '#queue .by', [
    'sent by a viewer',
    'sent by a viewer',
    'sent by a viewer',
    'sent by <img src=x onerror="window.pwned=3">',
    `sent by ${'N'.repeat(119)}…`,
  ]);
  // Long text is cut to 120 characters (119 and an ellipsis) before it is sent.
  expect(await page.locator('#queue .song').allTextContents()).toEqual([
    'Free"><img src=x onerror="window.pwned = 2"> – Quote',
    'FreeRight\u202Eto left – Override',
    `Free${'W'.repeat(119)}… – ${'x'.repeat(119)}…`,
    'Free<script>window.pwned = 1</script> – Tag',
    'FreeLong – Name',
  ]);
  expect(await page.locator('body script, body img').count()).toBe(1);
  expect(await page.evaluate('window.pwned')).toBeUndefined();
  // The override ends with the artist: the title after it still stands to its right, unreversed.
  const [artistRight, titleLeft] = (await page.evaluate(`(() => {
    const row = document.querySelectorAll('#queue .song')[1];
    return [row.querySelector('.artist').getBoundingClientRect().right,
      row.querySelector('.title').getBoundingClientRect().left];
  })()`)) as [number, number];
  expect(titleLeft).toBeGreaterThan(artistRight);
  expect(await overflowsSideways()).toBe(false);
  await screenshot(page, 'public-page-hostile');
});

it('rotate gives a new link and the old one answers 404 at once', async () => {
  t = await startTestBot({ database });
  const first = await turnOn();
  const stream = await openEventStream(`${first}/events`);
  await stream.until('event: queue');
  const second = urlIn((await publicPage('rotate')).content);
  expect(second).not.toBe(first);
  expect(await stream.ended()).toContain('event: revoked');
  expect((await fetch(first)).status).toBe(404);
  expect((await fetch(second)).status).toBe(200);
  expect(await queueReply()).toBe(`Follow the queue live: <${second}>`);
});

it('first load stays within 100 KB with a long queue of the longest titles, in four-byte characters', async () => {
  t = await startTestBot({ database });
  const longest = '\u{1F3B5}'.repeat(200);
  for (let n = 0; n < 80; n++) await queueSong(t, { artist: longest, title: longest });
  for (let n = 0; n < 6; n++) await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  const url = await turnOn();
  const html = Buffer.from(await (await fetch(url)).arrayBuffer());
  const stream = await openEventStream(`${url}/events`);
  const firstEvent = await stream.until(']}\n\n');
  stream.close();
  const bytes = html.length + Buffer.byteLength(firstEvent);
  console.log(
    `public page first load: ${html.length} B page + ${Buffer.byteLength(firstEvent)} B first event`,
  );
  expect(firstEvent).toContain('"waiting":74');
  expect(bytes).toBeLessThanOrEqual(100 * 1024);
});
