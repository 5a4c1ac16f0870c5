import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { ModuleFactory } from '../src/discord/module.js';
import { embedsModule } from '../src/features/embeds/index.js';
import { FEATURE_MODULES } from '../src/features/index.js';
import type { EmbedConfig } from '../src/storage/embed-configs-repo.js';
import { startTestBot, type TestBot } from '../test/support/bot/test-bot.js';
import { seedSubmission } from '../test/support/db/fixtures.js';
import { createEmbed } from '../test/features/support/embed-bot.js';
import { fmt, percentile, report } from './stats.js';

const ROUNDS = 12;
/** Longer than the debounce (1.5 s) plus two edits in one channel (1 s apart): the embeds are settled. */
const SETTLE_MS = 4_000;

/**
 * From a viewer's `/skip` (their song leaves the queue for pending skips, so all three embeds change)
 * to each embed's edit arriving at the local Discord: the shipped bot with the production debounce
 * and edit spacing, a live queue in #general, the reviewer queue and pending skips in #reviewers.
 * The safety net is pushed out of the way so that only the queue change can cause the edits.
 */
export async function runEmbedLatencyBenchmarks(): Promise<void> {
  const modules = new Map<string, ModuleFactory>([
    ...FEATURE_MODULES,
    ['embeds', () => embedsModule({ safetyNetMs: 3_600_000 })],
  ]);
  const t = await startTestBot({ modules });
  try {
    const embeds: [string, EmbedConfig][] = [
      ['live queue (#general)', (await createEmbed(t, 'live_queue', t.channels.general)).config],
      ['reviewer queue (#reviewers)', (await createEmbed(t, 'reviewer_queue', t.channels.reviewers)).config],
      ['pending skips (#reviewers)', (await createEmbed(t, 'pending_skips', t.channels.reviewers)).config],
    ];
    const latencies = embeds.map((): number[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      await t.database.db.execute(sql`DELETE FROM submissions`);
      await seedSubmission(t.database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
      await sleep(SETTLE_MS);

      const sent = Date.now();
      const skip = t.discord.slashCommand({
        channelId: t.channels.submissions,
        user: t.users.viewer,
        name: 'skip',
        options: { amount: 10 },
      });
      await skip.reply();
      const edits = await Promise.all(embeds.map(([, config]) => editAfter(t, config, sent)));
      edits.forEach((at, i) => latencies[i]!.push(at - sent));
    }
    const rows = embeds.map(([name], i): [string, string] => {
      const ms = latencies[i]!.sort((a, b) => a - b);
      return [name, `p50 ${fmt(percentile(ms, 50) / 1000, 2)} s, max ${fmt(ms.at(-1)! / 1000, 2)} s`];
    });
    report(
      `Embed edit latency from /skip, 3 embeds in 2 channels, debounce 1.5 s, spacing 1 s per channel (${ROUNDS} rounds)`,
      rows,
    );
  } finally {
    await t.close();
  }
}

/** When the first edit of the embed's message after `since` arrived at the local Discord. */
async function editAfter(t: TestBot, config: EmbedConfig, since: number): Promise<number> {
  const path = `/channels/${config.channelId}/messages/${config.messageId}`;
  const call = await t.discord.waitForCall(
    (c) => c.method === 'PATCH' && c.path === path && c.at >= since,
    10_000,
  );
  return call.at;
}
