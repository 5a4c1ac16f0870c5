import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { overlayModule } from '../../src/features/overlay/index.js';
import { rowsOf } from '../../src/storage/connect.js';
import { issuePageToken } from '../../src/overlay/tokens.js';
import { setGuildField } from '../../src/storage/guild-config-repo.js';
import { deletePageToken, replacePageToken } from '../../src/storage/overlay-repo.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { commandAnswer, overlayUrl, playerUrl, queueSong, urlIn } from './page-support.js';
import { lastQueueEvent, openEventStream, type EventStreamReader } from './sse-reader.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database, {
  modules: new Map([
    ...FEATURE_MODULES,
    ['overlay', () => overlayModule({ heartbeatMs: 50, maxStreamsPerGuild: 2, recheckMs: 50 })],
  ]),
});
const streams: EventStreamReader[] = [];

// Runs before the bot closes (hooks unwind in reverse order).
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
});

const open = async (url: string) => {
  const stream = await openEventStream(url);
  streams.push(stream);
  return stream;
};

describe('secret URLs', () => {
  it('/admin overlay url shows the same URL each time, privately, to admins only', async () => {
    const first = await commandAnswer(t, { name: 'admin', subcommandGroup: 'overlay', subcommand: 'url' });
    expect(first.ephemeral).toBe(true);
    expect(urlIn(first.content)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/overlay\/[A-Za-z0-9_-]{43}$/);
    expect(await overlayUrl(t)).toBe(urlIn(first.content));
    const viewer = await commandAnswer(t, {
      name: 'admin',
      subcommandGroup: 'overlay',
      subcommand: 'url',
      user: t.users.reviewer,
    });
    expect(viewer.content).toMatch(/Manage Server/);
  });

  it('/player url is personal and for reviewers only', async () => {
    const mine = await playerUrl(t);
    expect(mine).toMatch(/\/player\/[A-Za-z0-9_-]{43}$/);
    expect(await playerUrl(t, t.users.admin)).not.toBe(mine);
    const viewer = await commandAnswer(t, { name: 'player', subcommand: 'url', user: t.users.viewer });
    expect(viewer.content).toMatch(/Only reviewers/);
  });

  it('/admin overlay rotate: the old URL answers 404 at once, its open stream is told and closed', async () => {
    const old = await overlayUrl(t);
    const stream = await open(`${old}/events`);
    await stream.until('event: queue');

    const answer = await commandAnswer(t, {
      name: 'admin',
      subcommandGroup: 'overlay',
      subcommand: 'rotate',
    });
    const next = urlIn(answer.content);
    expect(next).not.toBe(old);
    expect(await stream.ended()).toContain('event: revoked');
    expect((await fetch(old)).status).toBe(404);
    expect((await fetch(`${old}/events`)).status).toBe(404);
    expect((await fetch(next)).status).toBe(200);
    const [audit] = await rowsOf<{ actor_id: string; details: unknown }>(
      database.db,
      sql`SELECT actor_id, details FROM audit_log WHERE action = 'config_set'`,
    );
    expect(audit).toEqual({
      actor_id: t.users.admin.id,
      details: { key: 'overlay_url', to: 'new secret URL' },
    });
  });

  it('an overlay token replaced by another process ends the stream open here too', async () => {
    const stream = await open(`${await overlayUrl(t)}/events`);
    await stream.until('event: queue');
    // What /admin overlay rotate in another bot process does: only the database changes here.
    await replacePageToken(
      database.db,
      { guildId: t.guildId, page: 'overlay', ownerId: '' },
      issuePageToken(),
    );
    expect(await stream.ended()).toContain('event: revoked');
  });

  it('an open player ends when its owner is no longer a reviewer', async () => {
    const stream = await open(`${await playerUrl(t)}/events`);
    await stream.until('event: queue');
    const otherRole = t.discord.addRole(t.guildId, { name: 'New reviewers', permissions: 0n });
    await setGuildField(database.db, t.guildId, 'reviewerRoleId', otherRole.id);
    expect(await stream.ended()).toContain('event: revoked');
  });

  it('/player rotate replaces only that reviewer’s URL', async () => {
    const reviewers = await playerUrl(t);
    const admins = await playerUrl(t, t.users.admin);
    const rotated = urlIn(
      (await commandAnswer(t, { name: 'player', subcommand: 'rotate', user: t.users.reviewer })).content,
    );
    expect((await fetch(reviewers)).status).toBe(404);
    expect((await fetch(rotated)).status).toBe(200);
    expect((await fetch(admins)).status).toBe(200);
  });

  it('a token opens only its own page: an overlay token is no player and the other way round', async () => {
    const overlay = await overlayUrl(t);
    const player = await playerUrl(t);
    const unknown = await fetch(new URL('/nothing-here', overlay));
    const swapped = [overlay.replace('/overlay/', '/player/'), player.replace('/player/', '/overlay/')];
    for (const url of swapped) {
      const response = await fetch(url);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
      expect(await response.text()).toBe(await (await fetch(new URL('/nothing-here', overlay))).text());
    }
  });

  it('a player URL stops working when its owner is no longer a reviewer', async () => {
    const url = await playerUrl(t);
    expect((await fetch(url)).status).toBe(200);
    const otherRole = t.discord.addRole(t.guildId, { name: 'New reviewers', permissions: 0n });
    await setGuildField(database.db, t.guildId, 'reviewerRoleId', otherRole.id);
    expect((await fetch(url)).status).toBe(404);
  });

  it('pages forbid framing, inline code other than their own, and referrers', async () => {
    const response = await fetch(await overlayUrl(t));
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'sha256-[^']+'(;|$)/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('event streams', () => {
  it('send the current view first, then a heartbeat comment', async () => {
    await queueSong(t, { artist: 'Nova', title: 'Night Drive' });
    const stream = await open(`${await overlayUrl(t)}/events?n=3`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await stream.until(': heartbeat');
    expect(text.startsWith('retry: 3000\n\n')).toBe(true);
    expect(lastQueueEvent(text)).toEqual({
      nowReviewing: null,
      upNext: [{ artist: 'Nova', title: 'Night Drive', tier: 'Free' }],
      lastRating: null,
    });
  });

  it('are bounded per guild: one more is refused with 429 until one closes', async () => {
    const url = `${await overlayUrl(t)}/events`;
    const first = await open(url);
    await open(`${await playerUrl(t)}/events`);
    expect((await fetch(url)).status).toBe(429);
    first.close();
    await vi.waitFor(async () => {
      const again = await fetch(url);
      await again.body?.cancel();
      expect(again.status).toBe(200);
    });
  });

  it('public pages are counted apart: a crowd of viewers leaves the overlay its places', async () => {
    const publicUrl = urlIn(
      (await commandAnswer(t, { name: 'admin', subcommandGroup: 'public-page', subcommand: 'on' })).content,
    );
    for (let i = 0; i < 3; i++) expect((await open(`${publicUrl}/events`)).status).toBe(200);
    expect((await open(`${await overlayUrl(t)}/events`)).status).toBe(200);
  });

  it('a public page switched off by another process ends the stream open here too', async () => {
    const publicUrl = urlIn(
      (await commandAnswer(t, { name: 'admin', subcommandGroup: 'public-page', subcommand: 'on' })).content,
    );
    // A public token opens no other page.
    expect((await fetch(publicUrl.replace('/queue/', '/overlay/'))).status).toBe(404);
    const stream = await open(`${publicUrl}/events`);
    await stream.until('event: queue');
    // What /admin public-page off in another bot process does: only the database changes here.
    await deletePageToken(database.db, { guildId: t.guildId, page: 'public', ownerId: '' });
    expect(await stream.ended()).toContain('event: revoked');
  });

  it('end when the module stops', async () => {
    const stream = await open(`${await overlayUrl(t)}/events`);
    await stream.until('event: queue');
    await t.bot.registry.unload('overlay');
    // A plain end, not a revocation: the page's EventSource reconnects once the bot is back.
    expect(await stream.ended()).not.toContain('event: revoked');
  });
});

describe('player buttons', () => {
  const post = (url: string, headers: Record<string, string>, body = '{}') =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it.each([
    ['without the X-Player-Request header', {}],
    ['from another site', { 'x-player-request': '1', origin: 'https://evil.example' }],
    ['marked cross-site by the browser', { 'x-player-request': '1', 'sec-fetch-site': 'cross-site' }],
  ])('refuse a request %s with 403 and change nothing', async (_name, headers) => {
    await queueSong(t, { artist: 'A', title: 'B' });
    const response = await post(`${await playerUrl(t)}/next`, headers);
    expect(response.status).toBe(403);
    const played = await rowsOf(database.db, sql`SELECT id FROM submissions WHERE tier = 'played'`);
    expect(played).toEqual([]);
  });

  it('Next on an empty queue answers 409 with the reason', async () => {
    const url = await playerUrl(t);
    const response = await post(`${url}/next`, { 'x-player-request': '1', origin: new URL(url).origin });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: 'The queue is empty. Songs in Pending Skips need /confirm-skip first.',
    });
  });

  it('Remove needs the song id and answers a user error with 409', async () => {
    const url = await playerUrl(t);
    const headers = { 'x-player-request': '1' };
    expect((await post(`${url}/remove`, headers, '{"id":"1"}')).status).toBe(400);
    const missing = await post(`${url}/remove`, headers, '{"id":999}');
    expect(missing.status).toBe(409);
    expect(await missing.json()).toEqual({ error: "There is no song with id 999 in this server's queue." });
  });

  it('Remove of a song under review is audited as the reviewer', async () => {
    const song = await queueSong(t, { artist: 'A', title: 'B' });
    await takeNextForReview(database.db, t.guildId, t.users.admin.id);
    const response = await post(
      `${await playerUrl(t)}/remove`,
      { 'x-player-request': '1' },
      `{"id":${song.id}}`,
    );
    expect(response.status).toBe(200);
    const audit = await rowsOf<{ action: string; actor_id: string }>(
      database.db,
      sql`SELECT action, actor_id FROM audit_log WHERE submission_id = ${song.id} ORDER BY id`,
    );
    expect(audit.map((a) => `${a.action} by ${a.actor_id}`)).toEqual([
      `take by ${t.users.admin.id}`,
      `restore by ${t.users.reviewer.id}`,
      `remove by ${t.users.reviewer.id}`,
    ]);
  });
});
