import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { overlayModule } from '../../src/features/overlay/index.js';
import { rowsOf } from '../../src/storage/connect.js';
import { issuePageToken } from '../../src/overlay/tokens.js';
import { deletePageToken, replacePageToken } from '../../src/storage/overlay-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { commandAnswer, overlayUrl, queueSong, urlIn } from './page-support.js';
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

  it('a token opens only its own page: an overlay token is no public page and the other way round', async () => {
    const overlay = await overlayUrl(t);
    const publicPage = urlIn(
      (await commandAnswer(t, { name: 'admin', subcommandGroup: 'public-page', subcommand: 'on' })).content,
    );
    expect((await fetch(publicPage)).status).toBe(200);
    const unknown = await fetch(new URL('/nothing-here', overlay));
    const swapped = [overlay.replace('/overlay/', '/queue/'), publicPage.replace('/queue/', '/overlay/')];
    for (const url of swapped) {
      const response = await fetch(url);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
      expect(await response.text()).toBe(await (await fetch(new URL('/nothing-here', overlay))).text());
    }
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
    await open(url);
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
