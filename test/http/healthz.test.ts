import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import type { ModuleFactory } from '../../src/discord/module.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { tiktokModule } from '../../src/features/tiktok/index.js';
import { httpRoutesFor } from '../../src/http/routes.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { openTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { startLocalWebcast, type LocalWebcast } from '../support/tiktok/local-webcast.js';

installUnhandledRejectionGuard();

let t: TestBot | undefined;
let webcast: LocalWebcast | undefined;

afterEach(async () => {
  await t?.close();
  await webcast?.close();
  t = undefined;
  webcast = undefined;
});

async function healthz(bot: TestBot) {
  const response = await fetch(`${httpRoutesFor(bot.bot.ctx).url}/healthz`);
  return { status: response.status, body: (await response.json()) as unknown };
}

const NO_TIKTOK = { guilds: [] };

it('answers 200 while the database answers and Discord is connected', async () => {
  t = await startTestBot({ driver: 'pglite' });
  expect(await healthz(t)).toEqual({
    status: 200,
    body: { ok: true, database: 'up', discord: 'connected', tiktok: NO_TIKTOK },
  });
});

it('answers 503 with discord disconnected once the client is destroyed', async () => {
  t = await startTestBot({ driver: 'pglite' });
  await t.bot.client.destroy();
  expect(await healthz(t)).toEqual({
    status: 503,
    body: { ok: false, database: 'up', discord: 'disconnected', tiktok: NO_TIKTOK },
  });
});

it('answers 503 with discord reconnecting while the gateway is down, and 200 once it resumes', async () => {
  t = await startTestBot({ driver: 'pglite' });
  t.discord.cutGateway();
  // discord.js keeps isReady() true through an outage; the probe must not.
  let answer = await healthz(t);
  for (const deadline = Date.now() + 5_000; answer.status === 200 && Date.now() < deadline;) {
    await sleep(25);
    answer = await healthz(t);
  }
  expect(answer).toEqual({
    status: 503,
    body: { ok: false, database: 'up', discord: 'reconnecting', tiktok: NO_TIKTOK },
  });
  expect(await t.discord.restoreGateway()).toBe('resumed');
  for (const deadline = Date.now() + 5_000; answer.status !== 200 && Date.now() < deadline;) {
    await sleep(25);
    answer = await healthz(t);
  }
  expect(answer).toEqual({
    status: 200,
    body: { ok: true, database: 'up', discord: 'connected', tiktok: NO_TIKTOK },
  });
});

it('answers 503 with database down once the database is closed', async () => {
  const database = await openTestDatabase('postgres');
  t = await startTestBot({ database });
  await database.close();
  expect(await healthz(t)).toEqual({
    status: 503,
    body: { ok: false, database: 'down', discord: 'connected', tiktok: NO_TIKTOK },
  });
});

it("reports each guild's TikTok connection state, without the handle", async () => {
  const live = await startLocalWebcast({ handle: 'review.night', roomId: '7450000000000000778' });
  webcast = live;
  const modules = new Map<string, ModuleFactory>(FEATURE_MODULES);
  modules.set('tiktok', () => tiktokModule({ sourceOptions: live.connectionOptions }));
  const bot = await startTestBot({ driver: 'pglite', modules });
  t = bot;
  await bot.discord
    .slashCommand({
      channelId: bot.channels.general,
      user: bot.users.admin,
      name: 'admin',
      subcommandGroup: 'tiktok',
      subcommand: 'connect',
      options: { username: 'review.night' },
    })
    .reply();
  const deadline = Date.now() + 15_000;
  let answer = await healthz(bot);
  // Connecting to the LIVE takes a few round trips to the local webcast.
  while (!JSON.stringify(answer.body).includes('"live"') && Date.now() < deadline) {
    await sleep(25);
    answer = await healthz(bot);
  }
  expect(answer).toEqual({
    status: 200,
    body: {
      ok: true,
      database: 'up',
      discord: 'connected',
      tiktok: { guilds: [{ guildId: bot.guildId, state: 'live' }] },
    },
  });
  expect(JSON.stringify(answer.body)).not.toContain('review.night');
});
