import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { studioModule } from '../../src/features/studio/index.js';
import { rowsOf } from '../../src/storage/connect.js';
import { setGuildField } from '../../src/storage/guild-config-repo.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { commandAnswer, queueSong } from '../overlay/page-support.js';
import { openEventStream, type EventStreamReader } from '../overlay/sse-reader.js';
import { signedInStudio, signInWith, studioLink } from './studio-support.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database, {
  modules: new Map([
    ...FEATURE_MODULES,
    [
      'studio',
      () =>
        studioModule({
          heartbeatMs: 50,
          recheckMs: 50,
          limits: { signInsPerMinute: 5, actionsPerMinute: 4 },
        }),
    ],
  ]),
});
const streams: EventStreamReader[] = [];
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
});

const loseReviewerRole = async () => {
  const otherRole = t.discord.addRole(t.guildId, { name: 'New reviewers', permissions: 0n });
  await setGuildField(database.db, t.guildId, 'reviewerRoleId', otherRole.id);
};

describe('signing in', () => {
  it('/studio gives a reviewer a private one-time link; a viewer is refused', async () => {
    const link = await studioLink(t);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/studio\/sign-in\/[A-Za-z0-9_-]{43}$/);
    const viewer = await commandAnswer(t, { name: 'studio', user: t.users.viewer });
    expect(viewer.content).toMatch(/Only reviewers/);
    // Only the digest is stored: the link's secret is nowhere in the database.
    const token = link.split('/').at(-1)!;
    const stored = await rowsOf<{ token_sha256: string }>(
      database.db,
      sql`SELECT token_sha256 FROM studio_sign_ins`,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_sha256).not.toContain(token);
  });

  it('opening the link shows a button and spends nothing (link previews must not sign anyone in)', async () => {
    const link = await studioLink(t);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect((await signInWith(link)).response.status).toBe(303);
  });

  it('the link works once; the session cookie is HttpOnly, SameSite=Strict, scoped to /studio', async () => {
    const link = await studioLink(t);
    const first = await signInWith(link);
    expect(first.response.status).toBe(303);
    expect(first.response.headers.get('location')).toBe('/studio');
    const cookie = first.response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^mrb_studio=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/studio');
    expect(cookie).not.toContain('Secure'); // PUBLIC_URL is unset: plain http on loopback
    const again = await signInWith(link);
    expect(again.response.status).toBe(403);
    expect(await again.response.text()).toContain('This sign-in link no longer works');
    const sessions = await rowsOf<{ token_sha256: string }>(
      database.db,
      sql`SELECT token_sha256 FROM studio_sessions`,
    );
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.token_sha256).not.toContain(cookie.split(';')[0]!.split('=')[1]!);
    expect((await first.client!.request('/studio')).status).toBe(200);
  });

  it('an expired link does not work', async () => {
    const link = await studioLink(t);
    await database.db.execute(sql`UPDATE studio_sign_ins SET expires_at = now() - interval '1 second'`);
    expect((await signInWith(link)).response.status).toBe(403);
  });

  it('a link whose reviewer lost the role before using it does not work', async () => {
    const link = await studioLink(t);
    await loseReviewerRole();
    expect((await signInWith(link)).response.status).toBe(403);
    expect(await rowsOf(database.db, sql`SELECT 1 FROM studio_sessions`)).toEqual([]);
  });

  it('a sign-in posted from another site is refused, and the link stays unspent', async () => {
    const link = await studioLink(t);
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const response = await fetch(link, { method: 'POST', redirect: 'manual', headers });
      expect(response.status).toBe(403);
    }
    expect((await signInWith(link)).response.status).toBe(303);
  });

  it('sign-in attempts are rate-limited per address', async () => {
    const link = await studioLink(t);
    const wrong = link.replace(/[A-Za-z0-9_-]{43}$/, 'x'.repeat(43));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signInWith(wrong)).response.status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    const limited = await signInWith(link);
    expect(limited.response.status).toBe(429);
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('without a session the studio says how to sign in, and its data routes refuse', async () => {
    const base = new URL(await studioLink(t)).origin;
    const page = await fetch(`${base}/studio`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('Use <b>/studio</b>');
    expect((await fetch(`${base}/studio/events`)).status).toBe(401);
    const forged = await fetch(`${base}/studio`, { headers: { cookie: `mrb_studio=${'a'.repeat(43)}` } });
    expect(forged.status).toBe(401);
  });
});

describe('a session', () => {
  it('ends at once when its reviewer loses the role: page, actions and open stream', async () => {
    const studio = await signedInStudio(t);
    const stream = await openEventStream(`${studio.base}/studio/events`, { cookie: studio.cookie });
    streams.push(stream);
    await stream.until('event: queue');
    await loseReviewerRole();
    expect((await studio.request('/studio')).status).toBe(401);
    expect((await studio.act({ action: 'next' })).status).toBe(401);
    expect(await stream.ended()).toContain('event: revoked');
  });

  it('an admin signs everyone out: sessions end, open studios close, unused links stop working', async () => {
    const reviewer = await signedInStudio(t);
    const admin = await signedInStudio(t, t.users.admin);
    const unused = await studioLink(t);
    const stream = await openEventStream(`${reviewer.base}/studio/events`, { cookie: reviewer.cookie });
    streams.push(stream);
    await stream.until('event: queue');
    const answer = await commandAnswer(t, {
      name: 'admin',
      subcommandGroup: 'studio',
      subcommand: 'sign-out-everyone',
    });
    expect(answer.content).toBe('Signed 2 studio sessions out. Unused sign-in links no longer work either.');
    expect(await stream.ended()).toContain('event: revoked');
    expect((await reviewer.request('/studio')).status).toBe(401);
    expect((await admin.request('/studio')).status).toBe(401);
    expect((await signInWith(unused)).response.status).toBe(403);
    const audit = await rowsOf<{ actor_id: string }>(
      database.db,
      sql`SELECT actor_id FROM audit_log WHERE details->>'key' = 'studio_sessions'`,
    );
    expect(audit).toEqual([{ actor_id: t.users.admin.id }]);
  });

  it('signing out ends this session only', async () => {
    const mine = await signedInStudio(t);
    const other = await signedInStudio(t, t.users.admin);
    const out = await mine.request('/studio/sign-out', { method: 'POST' });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^mrb_studio=; Max-Age=0;/);
    expect((await mine.request('/studio')).status).toBe(401);
    expect((await other.request('/studio')).status).toBe(200);
  });
});

describe('actions', () => {
  it('need this site and the studio header: a cross-site form or fetch changes nothing', async () => {
    await queueSong(t, { artist: 'Nova', title: 'Night Drive' });
    const studio = await signedInStudio(t);
    const forged: Record<string, string>[] = [
      { 'x-studio-request': '' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of forged) {
      const response = await studio.request('/studio/action', {
        method: 'POST',
        body: { action: 'next' },
        headers,
      });
      expect(response.status).toBe(403);
    }
    const played = await rowsOf(database.db, sql`SELECT 1 FROM submissions WHERE tier = 'played'`);
    expect(played).toEqual([]);
  });

  it('refuse bodies that are not an action, and are rate-limited per session', async () => {
    const studio = await signedInStudio(t);
    expect(await studio.act({ action: 'drop-table' })).toEqual({
      status: 400,
      error: 'That is not an action the studio knows.',
    });
    expect((await studio.request('/studio/action', { method: 'POST', body: undefined })).status).toBe(400);
    expect((await studio.act({ action: 'next' })).status).toBe(409); // the queue is empty
    expect((await studio.act({ action: 'next' })).status).toBe(409);
    const limited = await studio.act({ action: 'next' });
    expect(limited.status).toBe(429);
    expect(limited.error).toMatch(/Too many actions/);
  });
});

describe('module reload', () => {
  it('/admin reload module:studio keeps signed-in reviewers signed in; the page and its actions answer again', async () => {
    const studio = await signedInStudio(t);
    const stream = await openEventStream(`${studio.base}/studio/events`, { cookie: studio.cookie });
    streams.push(stream);
    await stream.until('event: queue');
    const handle = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.admin,
      name: 'admin',
      subcommand: 'reload',
      options: { module: 'studio' },
    });
    const first = await handle.reply();
    const body = first.body.type === 5 ? (await handle.editReply()).body : first.body.data;
    expect(String((body as { content?: string }).content)).toMatch(/^Restarted the studio module/);
    // The stopped module closed its streams; the page's EventSource reconnects to the new one.
    await stream.ended();
    expect((await studio.request('/studio')).status).toBe(200);
    const again = await openEventStream(`${studio.base}/studio/events`, { cookie: studio.cookie });
    streams.push(again);
    await again.until('event: queue');
    expect((await studio.act({ action: 'next' })).error).toMatch(/The queue is empty/);
  });
});
