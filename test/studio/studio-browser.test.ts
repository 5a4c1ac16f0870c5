import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { until } from '../support/until.js';
import {
  commandAnswer,
  type PageGlobals,
  queueSong,
  screenshot,
  storeUpload,
  toneWav,
  urlIn,
  waitForTexts,
} from '../overlay/page-support.js';
import { studioLink, useStudioBrowser } from './studio-support.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);
const { newPage, studioIn } = useStudioBrowser(t);

const posts = (channelId: string) => t.discord.channelMessages(channelId);

it('a reviewer signs in from Discord, takes the next song, rates it: the post says Reviewed and the public page follows', async () => {
  const first = await queueSong(t, { artist: 'Nova', title: 'Night Drive' });
  await queueSong(t, { artist: 'Rio', title: 'Tides' });
  const publicUrl = urlIn(
    (await commandAnswer(t, { name: 'admin', subcommandGroup: 'public-page', subcommand: 'on' })).content,
  );
  const publicPage = await newPage();
  await publicPage.goto(publicUrl);
  await waitForTexts(publicPage, '#queue .song', ['FreeNova – Night Drive', 'FreeRio – Tides']);

  const studio = await studioIn();
  await waitForTexts(studio, '#queue td:nth-child(2)', ['Nova – Night Drive', 'Rio – Tides']);
  await studio.keyboard.press('n');
  await waitForTexts(studio, '#song', ['Nova – Night Drive']);
  await waitForTexts(studio, '#status', ['Now reviewing Nova – Night Drive.']);
  // Posted where /studio was asked for (the general channel, in studioLink), as /next posts in its channel.
  await until('the Now reviewing post', () =>
    posts(t.channels.general).some((m) => m.content.includes('Nova – Night Drive')),
  );
  await waitForTexts(publicPage, '#now-card .song', ['Nova – Night Drive']);

  await studio.keyboard.press('r');
  await studio.keyboard.type('8.5');
  await studio.locator('#verdict').fill('tight mix');
  await studio.locator('#verdict').press('Enter');
  await waitForTexts(studio, '#status', ['Rated Nova – Night Drive: 8.5/10.']);
  await waitForTexts(studio, '#rated', ['Rated 8.5/10: tight mix']);
  await until('the post edited into Reviewed', () =>
    posts(t.channels.general).some((m) => m.content.startsWith('✅ **Reviewed: 8.5/10** — tight mix')),
  );
  const audit = await rowsOf<{ action: string; actor_id: string }>(
    database.db,
    sql`SELECT action, actor_id FROM audit_log WHERE submission_id = ${first.id} ORDER BY id`,
  );
  expect(audit).toEqual([
    { action: 'take', actor_id: t.users.reviewer.id },
    { action: 'rate', actor_id: t.users.reviewer.id },
  ]);
  await screenshot(studio, 'studio');

  await studio.locator('#next').click();
  await waitForTexts(studio, '#song', ['Rio – Tides']);
  await waitForTexts(publicPage, '#played .review', ['8.5/10 tight mix']);
});

it('two reviewers pressing Next at the same moment take two different songs', async () => {
  await queueSong(t, { artist: 'A', title: 'One' });
  await queueSong(t, { artist: 'B', title: 'Two' });
  const [left, right] = await Promise.all([studioIn(), studioIn(t.users.admin)]);
  await Promise.all([left.locator('#next').click(), right.locator('#next').click()]);
  const played = await until('both takes', async () => {
    const rows = await rowsOf<{ title: string; played_by: string }>(
      database.db,
      sql`SELECT title, played_by FROM submissions WHERE tier = 'played' ORDER BY title`,
    );
    return rows.length === 2 && rows;
  });
  expect(played.map((r) => r.played_by).sort()).toEqual([t.users.admin.id, t.users.reviewer.id].sort());
  const statuses = await until('both answers shown', async () => {
    const shown = [await left.locator('#status').textContent(), await right.locator('#status').textContent()];
    return shown.every((s) => s?.startsWith('Now reviewing')) && shown;
  });
  expect(statuses.sort()).toEqual(['Now reviewing A – One.', 'Now reviewing B – Two.']);
});

it('a move made in one browser shows in the other, and acting there on what it showed before is refused', async () => {
  const song = await queueSong(t, { artist: 'Moved', title: 'Away' });
  const [left, right] = await Promise.all([studioIn(), studioIn(t.users.admin)]);
  await waitForTexts(right, '#queue td.tier', ['Free']);
  await left.locator(`#queue tr[data-id="${song.id}"] select`).selectOption('skip10');
  await waitForTexts(left, '#status', ['Moved Moved – Away to 10 Skip.']);
  await waitForTexts(right, '#queue td.tier', ['10 Skip']);
  // What a page that had not caught up yet would send: the song as it was shown before the move.
  const stale = await right.evaluate(
    async (id) =>
      (
        await fetch('/studio/action', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-studio-request': '1' },
          body: JSON.stringify({ action: 'remove', id, shownIn: 'free' }),
        })
      ).json(),
    song.id,
  );
  expect(stale).toEqual({
    error: `Nothing was done: song ${song.id} was moved from Free to 10 Skip by someone else a moment ago.`,
  });
  const [row] = await rowsOf<{ tier: string }>(
    database.db,
    sql`SELECT tier FROM submissions WHERE id = ${song.id}`,
  );
  expect(row).toEqual({ tier: 'skip10' });
});

it('plays an uploaded WAV, which the browser reads with Range requests', async () => {
  const storedName = await storeUpload(t, toneWav(2), 'wav');
  const song = await queueSong(t, { artist: 'Nova', title: 'Demo', file: { storedName } });
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  const studio = await studioIn();
  await waitForTexts(studio, '#song', ['Nova – Demo']);
  expect(await studio.locator('#audio').getAttribute('src')).toBe(`/studio/audio/${song.id}`);
  await studio.mouse.click(1, 1); // a user gesture: Chromium allows play() only after one
  expect(await studio.evaluate("document.getElementById('audio').play().then(() => 'playing')")).toBe(
    'playing',
  );
  await studio.waitForFunction(
    () => ((globalThis as unknown as PageGlobals).document.getElementById('audio')?.currentTime ?? 0) > 0,
  );
});

it('hostile artist and title values are shown as text, never run', async () => {
  const hostile = [
    { artist: '<script>window.pwned=1</script>', title: '"><img src=x onerror="window.pwned=2">' },
    { artist: '\u202Egnp.exe', title: 'Override' },
    { artist: 'Long', title: 'x'.repeat(200) },
  ];
  for (const song of hostile) await queueSong(t, song);
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  const studio = await studioIn();
  await waitForTexts(studio, '#song', [`${hostile[0]!.artist} – ${hostile[0]!.title}`]);
  // Names are cut at 120 characters in the lists, so a long one cannot push the actions off the page.
  await waitForTexts(studio, '#queue td:nth-child(2)', [
    `${hostile[1]!.artist} – Override`,
    `Long – ${'x'.repeat(119)}…`,
  ]);
  expect(await studio.evaluate('window.pwned')).toBeUndefined();
  // The override ends with the artist: the title after it still stands to its right, unreversed.
  const [artistRight, titleLeft] = (await studio.evaluate(`(() => {
    const [artist, title] = document.querySelectorAll('#queue td:nth-child(2) bdi');
    return [artist.getBoundingClientRect().right, title.getBoundingClientRect().left];
  })()`)) as [number, number];
  expect(titleLeft).toBeGreaterThan(artistRight);
  expect(await studio.locator('img, script:not(:last-of-type)').count()).toBe(0);
});

it('a browser without a session, or a viewer, gets no studio', async () => {
  const viewer = await commandAnswer(t, { name: 'studio', user: t.users.viewer });
  expect(viewer.content).toMatch(/Only reviewers/);
  const page = await newPage();
  const base = new URL(await studioLink(t)).origin;
  const response = await page.goto(`${base}/studio`);
  expect(response?.status()).toBe(401);
  expect(await page.locator('h1').textContent()).toBe('You are not signed in');
});
