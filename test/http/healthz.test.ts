import { afterEach, expect, it } from 'vitest';
import { httpRoutesFor } from '../../src/http/routes.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { openTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';

installUnhandledRejectionGuard();

let t: TestBot | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function healthz(bot: TestBot) {
  const response = await fetch(`${httpRoutesFor(bot.bot.ctx).url}/healthz`);
  return { status: response.status, body: (await response.json()) as unknown };
}

it('answers 200 while the database answers and Discord is connected', async () => {
  t = await startTestBot({ driver: 'pglite' });
  expect(await healthz(t)).toEqual({ status: 200, body: { ok: true, database: 'up', discord: 'connected' } });
});

it('answers 503 with discord disconnected once the client is destroyed', async () => {
  t = await startTestBot({ driver: 'pglite' });
  await t.bot.client.destroy();
  expect(await healthz(t)).toEqual({
    status: 503,
    body: { ok: false, database: 'up', discord: 'disconnected' },
  });
});

it('answers 503 with database down once the database is closed', async () => {
  const database = await openTestDatabase('postgres');
  t = await startTestBot({ database });
  await database.close();
  expect(await healthz(t)).toEqual({
    status: 503,
    body: { ok: false, database: 'down', discord: 'connected' },
  });
});
