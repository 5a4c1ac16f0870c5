import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpRoutesFor } from '../../src/http/routes.js';
import { signWebhook } from '../../src/http/webhook-signature.js';
import { rowsOf } from '../../src/storage/connect.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const SECRET = 'relay-secret-0123456789abcdef';
const fan = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice' };
let nextId = 7_460_000_000_000_000_000n;
const msgId = () => String(++nextId);

const likeEvent = (count = 3) => ({
  kind: 'like',
  msgId: msgId(),
  at: new Date().toISOString(),
  user: fan,
  count,
  total: count,
});

const database = useTestDatabase('postgres');
let t: TestBot;

beforeEach(async () => {
  await database.reset();
});
afterEach(async () => {
  await t.close();
});

const webhookUrl = (guildId = t.guildId) =>
  `${httpRoutesFor(t.bot.ctx).url}/webhooks/tiktok?guild=${guildId}`;

async function post(
  body: string,
  options: { guildId?: string; timestamp?: number; secret?: string; signature?: string } = {},
) {
  const guildId = options.guildId ?? t.guildId;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const response = await fetch(webhookUrl(guildId), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': options.signature ?? signWebhook(options.secret ?? SECRET, timestamp, guildId, body),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const recorded = async () =>
  (await rowsOf<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM interactions`))[0]?.n ?? 0;

describe('with TIKTOK_WEBHOOK_SECRET set', () => {
  beforeEach(async () => {
    t = await startTestBot({ database, env: { TIKTOK_WEBHOOK_SECRET: SECRET } });
  });

  it('records signed events once committed, opens a session, and credits the viewer', async () => {
    const events = [
      likeEvent(4),
      { kind: 'comment', msgId: msgId(), at: new Date().toISOString(), user: fan, text: 'hi' },
    ];
    expect(await post(JSON.stringify(events))).toEqual({
      status: 200,
      body: { received: 2, recorded: 2, ended: false },
    });
    const [account] = await rowsOf<{ points: number }>(database.db, sql`SELECT points FROM tiktok_accounts`);
    expect(account?.points).toBe(4 + 2);
    const sessions = await rowsOf<{ ended_at: string | null }>(
      database.db,
      sql`SELECT ended_at FROM live_sessions`,
    );
    expect(sessions).toEqual([{ ended_at: null }]);
  });

  it('a request replayed within the window records nothing twice', async () => {
    const body = JSON.stringify(likeEvent(5));
    expect((await post(body)).body).toEqual({ received: 1, recorded: 1, ended: false });
    expect((await post(body)).body).toEqual({ received: 1, recorded: 0, ended: false });
    const [account] = await rowsOf<{ points: number }>(database.db, sql`SELECT points FROM tiktok_accounts`);
    expect(account?.points).toBe(5);
  });

  it('a relayed stream end closes the session and says so: ended, though no interaction was recorded', async () => {
    await post(JSON.stringify(likeEvent()));
    const end = { kind: 'streamEnd', msgId: msgId(), at: new Date().toISOString(), action: 3 };
    expect(await post(JSON.stringify(end))).toEqual({
      status: 200,
      body: { received: 1, recorded: 0, ended: true },
    });
    const sessions = await rowsOf<{ end_reason: string }>(
      database.db,
      sql`SELECT end_reason FROM live_sessions`,
    );
    expect(sessions).toEqual([{ end_reason: 'ended' }]);
    // Sent again, it finds no session open: nothing more was done.
    expect((await post(JSON.stringify(end))).body).toEqual({ received: 1, recorded: 0, ended: false });
  });

  it('the last events and the stream end in one request: recorded and ended both reported', async () => {
    const end = { kind: 'streamEnd', msgId: msgId(), at: new Date().toISOString(), action: 3 };
    expect((await post(JSON.stringify([likeEvent(2), end]))).body).toEqual({
      received: 2,
      recorded: 1,
      ended: true,
    });
  });

  it.each([
    ['a wrong secret', { secret: 'another-secret-0123456789' }],
    ['a malformed signature', { signature: 'md5=abc' }],
    [
      'a timestamp 6 minutes old (a captured request replayed)',
      { timestamp: Math.floor(Date.now() / 1000) - 360 },
    ],
    ['a timestamp 6 minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 360 }],
  ])('refuses %s with 401 and records nothing', async (_name, options) => {
    const response = await post(JSON.stringify(likeEvent()), options);
    expect(response.status).toBe(401);
    expect(await recorded()).toBe(0);
  });

  it('refuses a request signed for another server (the guild is part of the signed material)', async () => {
    const body = JSON.stringify(likeEvent());
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(webhookUrl(), {
      method: 'POST',
      headers: {
        'x-timestamp': timestamp,
        'x-signature': signWebhook(SECRET, timestamp, '999999999999999999', body),
      },
      body,
    });
    expect(response.status).toBe(401);
    expect(await recorded()).toBe(0);
  });

  it('refuses a body over 256 KB with 413', async () => {
    const big = JSON.stringify(Array.from({ length: 3000 }, () => likeEvent()));
    expect(big.length).toBeGreaterThan(256 * 1024);
    expect((await post(big)).status).toBe(413);
    expect(await recorded()).toBe(0);
  });

  it('refuses invalid JSON with 400', async () => {
    expect(await post('{"kind": "like",')).toEqual({
      status: 400,
      body: { error: 'the body is not valid JSON' },
    });
  });

  it('refuses the whole request when one event is invalid, naming it, and records nothing', async () => {
    const response = await post(
      JSON.stringify([likeEvent(), { kind: 'dance', msgId: msgId(), at: new Date().toISOString() }]),
    );
    expect(response).toEqual({
      status: 400,
      body: { error: 'invalid events', issues: ['[1] kind: unknown event kind'] },
    });
    expect(await recorded()).toBe(0);
  });

  it('refuses a malformed event with the reason', async () => {
    const response = await post(JSON.stringify({ ...likeEvent(), user: { ...fan, userId: 'abc' } }));
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual(['user.userId: must be a non-zero decimal id (up to 20 digits)']);
  });

  it('answers 404 for a server the bot is not in', async () => {
    expect((await post(JSON.stringify(likeEvent()), { guildId: '999999999999999999' })).status).toBe(404);
    expect(await recorded()).toBe(0);
  });
});

it('the webhook is off (404) when TIKTOK_WEBHOOK_SECRET is unset', async () => {
  t = await startTestBot({ database });
  const response = await post(JSON.stringify(likeEvent()));
  expect(response.status).toBe(404);
  expect(await recorded()).toBe(0);
});
