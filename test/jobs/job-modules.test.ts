import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { GUILD, setDiscordPoints, userId } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { startTestBot, useTestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

/** Jobs of the jobs and embeds modules (other modules may schedule their own). */
const CORE = ['backup', 'embed-refresh', 'score-sync'];
const jobs = () => t.bot.ctx.scheduler.activeJobs.filter((name) => CORE.includes(name)).sort();

it('schedules the core jobs while their modules are loaded, and no longer once unloaded', async () => {
  expect(jobs()).toEqual(CORE);
  await t.bot.registry.unload('jobs');
  expect(jobs()).toEqual(['embed-refresh']);
  await t.bot.registry.unload('embeds');
  expect(jobs()).toEqual([]);
  await t.bot.registry.load('jobs');
  expect(jobs()).toEqual(['backup', 'score-sync']);
  await t.bot.stop();
  expect(t.bot.ctx.scheduler.activeJobs).toEqual([]);
});

it('vacuums only the embedded PGlite, which has no autovacuum of its own', async () => {
  expect(t.bot.ctx.scheduler.activeJobs).not.toContain('pglite-vacuum');
  const embedded = await startTestBot({ driver: 'pglite' });
  try {
    expect(embedded.bot.ctx.scheduler.activeJobs).toContain('pglite-vacuum');
  } finally {
    await embedded.close();
  }
});

it('/admin backup now writes a backup and answers with its file name and row counts', async () => {
  await setDiscordPoints(database.db, GUILD, userId(1), 5, 6);
  await setDiscordPoints(database.db, GUILD, userId(2), 7, 8);
  const handle = t.discord.slashCommand({
    channelId: t.channels.reviewers,
    user: t.users.admin,
    name: 'admin',
    subcommandGroup: 'backup',
    subcommand: 'now',
  });
  const content = String((await handle.editReply()).body.content);
  const [file] = await fs.readdir(path.join(t.dataDir, 'backups'));
  expect(content).toContain(`\`${file}\``);
  expect(content).toMatch(/2 point balances and 0 TikTok accounts/);
});
