/**
 * Memory of `/admin reload` in the built bot (built into a temporary folder, run as its own process
 * against the local Discord, as `node --expose-gc --import bench/footprint-probe.mjs dist/main.js`).
 * Per module: RELOAD_COUNT reloads with its files unchanged (the running code is reused), then as
 * many with its entry file edited before each (a new version is imported each time, and Node keeps
 * every module it imported for the life of the process). Node heap used (after a full collection)
 * and resident memory (RSS) before and after each run, beside as many /about commands as a baseline
 * (what any interaction costs the bot's caches, reload or not).
 *
 *   npm run bench -- reload        RELOAD_COUNT=100 RELOAD_MODULES=guide,embeds
 *
 * Figures only; nothing here fails on a number.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBotCopy } from '../test/support/built-bot-copy.js';
import { createPostgresDatabase } from '../test/support/db/test-database.js';
import { BotChild, type Probe } from './footprint.bench.js';
import { footprintWorld, type FootprintWorld } from './footprint-world.js';
import { fmt, median, report } from './stats.js';

const COUNT = Number(process.env.RELOAD_COUNT ?? 100);
const MODULES = (process.env.RELOAD_MODULES ?? 'guide,embeds').split(',');

interface Run {
  before: Probe;
  after: Probe;
  replyMs: number[];
}

async function reloadTimes(world: FootprintWorld, module: string, count: number, edit?: () => Promise<void>) {
  const replyMs: number[] = [];
  const expected = edit ? 'with its new code' : 'its files have not changed';
  for (let i = 0; i < count; i++) {
    await edit?.();
    const started = performance.now();
    const reply = await world.discord
      .slashCommand({
        channelId: world.channels.reviewers,
        user: world.admin,
        name: 'admin',
        subcommand: 'reload',
        options: { module },
      })
      .reply(30_000);
    replyMs.push(performance.now() - started);
    const content = String(reply.body.data.content);
    if (!content.includes(expected)) throw new Error(`reload ${i + 1} of ${module}: ${content}`);
  }
  return replyMs;
}

async function answerAbout(world: FootprintWorld, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reply = await world.discord
      .slashCommand({ channelId: world.channels.reviewers, user: world.admin, name: 'about' })
      .reply(30_000);
    if (!String(reply.body.data.content).includes('music-review-bot'))
      throw new Error(`unexpected /about: ${String(reply.body.data.content)}`);
  }
}

async function probe(bot: BotChild): Promise<Probe> {
  const result = await bot.probe();
  if (!result) throw new Error(`the bot wrote no memory probe\n${bot.output}`);
  return result;
}

async function measureModule(module: string): Promise<{
  baseline: { before: Probe; after: Probe };
  unchanged: Run;
  edited: Run;
  firstNew: { before: Probe; after: Probe };
}> {
  const build = await buildBotCopy();
  const world = await footprintWorld(0);
  const database = await createPostgresDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-reload-bench-'));
  const bot = BotChild.spawn(
    path.join(build.dist, 'main.js'),
    {
      DISCORD_BOT_TOKEN: world.discord.token,
      DISCORD_API_URL: world.discord.apiUrl,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      LINK_NAMES: 'off',
      LOG_LEVEL: 'warn',
    },
    { file: path.join(dataDir, 'probe.json') },
    ['--expose-gc'],
  );
  try {
    await world.discord.waitForCall(
      (c) => c.method === 'PUT' && /\/applications\/\d+\/commands$/.test(c.path),
      60_000,
    );
    // One reload of each kind first, so one-off costs (compiling the reload path, Node's loader
    // thread for the import hook) are not counted as growth per reload.
    await reloadTimes(world, module, 1);
    await answerAbout(world, 1);
    const baselineBefore = await probe(bot);
    await answerAbout(world, COUNT);
    const unchangedBefore = await probe(bot);
    const unchangedMs = await reloadTimes(world, module, COUNT);
    const unchangedAfter = await probe(bot);

    const entry = path.join(build.dist, 'features', module, 'index.js');
    let edits = 0;
    const edit = () => fs.appendFile(entry, `\n// edit ${++edits}\n`);
    await reloadTimes(world, module, 1, edit);
    const firstNewAfter = await probe(bot);
    const editedMs = await reloadTimes(world, module, COUNT, edit);
    const editedAfter = await probe(bot);
    return {
      baseline: { before: baselineBefore, after: unchangedBefore },
      unchanged: { before: unchangedBefore, after: unchangedAfter, replyMs: unchangedMs },
      firstNew: { before: unchangedAfter, after: firstNewAfter },
      edited: { before: firstNewAfter, after: editedAfter, replyMs: editedMs },
    };
  } finally {
    await bot.stop();
    await world.close();
    await database.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
    await build.remove();
  }
}

const growth = (before: Probe, after: Probe, key: 'heapUsedMb' | 'rssMb', per = 1) =>
  `${fmt(before[key])} → ${fmt(after[key])} MB (${after[key] >= before[key] ? '+' : ''}${fmt(after[key] - before[key])} MB${per > 1 ? `, ${fmt(((after[key] - before[key]) * 1024) / per, 0)} KB each` : ''})`;

export async function runReloadBenchmarks(): Promise<void> {
  for (const module of MODULES) {
    const { baseline, unchanged, firstNew, edited } = await measureModule(module);
    report(`/admin reload ${module}, ${COUNT} times each (built bot, PostgreSQL)`, [
      [
        `baseline, ${COUNT} × /about: heap used`,
        growth(baseline.before, baseline.after, 'heapUsedMb', COUNT),
      ],
      [`baseline, ${COUNT} × /about: RSS`, growth(baseline.before, baseline.after, 'rssMb', COUNT)],
      ['unchanged files: heap used', growth(unchanged.before, unchanged.after, 'heapUsedMb', COUNT)],
      ['unchanged files: RSS', growth(unchanged.before, unchanged.after, 'rssMb', COUNT)],
      [
        'unchanged files: reply, median / max',
        `${fmt(median(unchanged.replyMs), 0)} / ${fmt(Math.max(...unchanged.replyMs), 0)} ms`,
      ],
      ['first new code: heap used', growth(firstNew.before, firstNew.after, 'heapUsedMb')],
      ['first new code: RSS (loader thread)', growth(firstNew.before, firstNew.after, 'rssMb')],
      ['edited each time: heap used', growth(edited.before, edited.after, 'heapUsedMb', COUNT)],
      ['edited each time: RSS', growth(edited.before, edited.after, 'rssMb', COUNT)],
      [
        'edited each time: reply, median / max',
        `${fmt(median(edited.replyMs), 0)} / ${fmt(Math.max(...edited.replyMs), 0)} ms`,
      ],
    ]);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`music-review-bot reload — Node ${process.version}, ${new Date().toISOString()}`);
  await runReloadBenchmarks();
}
