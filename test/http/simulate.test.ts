import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpRoutesFor } from '../../src/http/routes.js';
import { rowsOf } from '../../src/storage/connect.js';
import { createLinkRequest } from '../../src/storage/link-requests-repo.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const SECRET = 'simulator-secret-0123456789';
let database: TestDatabase;
let t: TestBot;

beforeAll(async () => {
  database = await openTestDatabase('postgres');
  t = await startTestBot({ database, env: { TIKTOK_WEBHOOK_SECRET: SECRET } });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

it('music-review-bot simulate plays a whole live into the running bot, link code included', async () => {
  const { code } = await createLinkRequest(database.db, {
    guildId: t.guildId,
    discordUserId: t.users.viewer.id,
    handle: 'sim.fan',
    ttlMinutes: 10,
    now: new Date(),
  });
  const url = httpRoutesFor(t.bot.ctx).url ?? '';
  const args = [
    'tsx',
    'src/cli/music-review-bot.ts',
    'simulate',
    '--guild',
    t.guildId,
    '--url',
    url,
    '--code',
    code,
    '--handle',
    'sim.fan',
    '--fast',
  ];
  const { stdout } = await promisify(execFile)('npx', args, {
    env: { ...process.env, TIKTOK_WEBHOOK_SECRET: SECRET },
  });
  expect(stdout).toContain('streamEnd');

  const [session] = await rowsOf<{ end_reason: string; coins_awarded: number }>(
    database.db,
    sql`SELECT end_reason, coins_awarded FROM live_sessions`,
  );
  // The Galaxy (1,000 TikTok coins) earns 20 Luxury Coins; the 12-Rose streak carries 24 units.
  expect(session).toEqual({ end_reason: 'ended', coins_awarded: 20 });
  const [streak] = await rowsOf<{ repeat_count: number }>(
    database.db,
    sql`SELECT repeat_count FROM gift_streaks`,
  );
  expect(streak?.repeat_count).toBe(12);
  const [linked] = await rowsOf<{ handle: string }>(
    database.db,
    sql`SELECT handle FROM tiktok_accounts WHERE discord_user_id = ${t.users.viewer.id}`,
  );
  expect(linked?.handle).toBe('sim.fan');
});
