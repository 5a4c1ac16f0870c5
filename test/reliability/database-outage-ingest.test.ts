import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/storage/connect.js';
import { migrate } from '../../src/storage/migrate.js';
import { ThrowawayCluster } from '../support/db/throwaway-cluster.js';
import { BotProcess, startChildWorld, WEBHOOK_SECRET, type ChildWorld } from './support/bot-process.js';
import { storedMessageIds } from './support/ingest-db.js';
import { scriptedLive, type RelayedEvent } from './support/live-script.js';
import { accepted, relayBatch, type RelayOutcome } from './support/relay.js';

/**
 * PostgreSQL restarting under a running bot process: the bot says so in its log, stays on Discord,
 * refuses relayed batches it cannot commit (so the relay keeps them and retries) instead of
 * acknowledging them, and once the database is back every batch ends up stored exactly once.
 */
describe('PostgreSQL restarting while TikTok events arrive', () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let world: ChildWorld;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    database = await connectDatabase({ databaseUrl: cluster.url });
    await migrate(database);
    world = await startChildWorld(database.db);
  }, 60_000);
  afterAll(async () => {
    await bot?.kill();
    await world?.close();
    await database?.close();
    await cluster?.destroy();
  });

  /** A relay's retry: resend until acknowledged, a bounded number of times. */
  async function relayUntilAccepted(events: RelayedEvent[], attempts = 40): Promise<RelayOutcome[]> {
    const outcomes: RelayOutcome[] = [];
    for (let i = 0; i < attempts; i++) {
      const outcome = await relayBatch((bot as BotProcess).url, WEBHOOK_SECRET, world.guildId, events, 5_000);
      outcomes.push(outcome);
      if (accepted(outcome)) break;
      await sleep(250);
    }
    return outcomes;
  }

  const submit = (title: string, link: string) =>
    world.discord.slashCommand({
      channelId: world.channels.submissions,
      user: world.users.viewers[0] ?? world.users.admin,
      name: 'submit',
      options: { artist: 'Artist', title, link },
    });

  it('refuses what it cannot commit during the outage and stores every batch once afterwards', async () => {
    const script = scriptedLive({ runId: Date.now(), batches: 10, perBatch: 50 });
    bot = await BotProcess.start({
      discord: world.discord,
      databaseUrl: cluster.url,
      dataDir: world.dataDir,
    });
    const running = bot;
    for (const batch of script.slice(0, 4)) {
      expect(accepted(await relayBatch(running.url, WEBHOOK_SECRET, world.guildId, batch))).toBe(true);
    }

    await cluster.stop('immediate');
    const duringOutage = await Promise.all(
      script
        .slice(4, 8)
        .map((batch) => relayBatch(running.url, WEBHOOK_SECRET, world.guildId, batch, 10_000)),
    );
    // Answered, not hung, and not acknowledged: a 200 would promise a commit that did not happen.
    // A failure names what the bot was doing (it failed once in a full local run, with every request
    // reset, and did not fail again in 13 runs alone).
    const whatTheBotDid = () =>
      `running ${running.running}, exit ${running.child.exitCode ?? running.child.signalCode}\n${running.tail(30)}`;
    expect(
      duringOutage.map((o) => (o.kind === 'answered' ? o.status : o.error)),
      whatTheBotDid(),
    ).toEqual([500, 500, 500, 500]);
    const during = await submit('During', 'https://youtu.be/bbbbbbbbbbb').reply();
    expect(during.body.data.content).toMatch(/try again shortly/);
    await running.waitForLog((l) => l.msg === 'tiktok ingest batch failed; will retry', 5_000);

    await cluster.start();
    // The relay retries what was refused, resends its last acknowledged batch, and carries on.
    for (const batch of [...script.slice(4, 8), script[3] ?? [], ...script.slice(8)]) {
      const outcomes = await relayUntilAccepted(batch);
      expect(outcomes.some(accepted)).toBe(true);
    }

    const stored = await storedMessageIds(database.db, world.guildId);
    const sent = script.flat().map((e) => e.msgId);
    expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
    expect(sent.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(sent.length);

    const after = await submit('After', 'https://youtu.be/ccccccccccc').editReply();
    expect(String(after.body.content)).toMatch(/Queued/);
    // One process the whole time, on its first Discord session.
    expect(running.running).toBe(true);
    expect(running.logs.filter((l) => l.msg === 'connected to Discord')).toHaveLength(1);
    // No REST call went to a route the local Discord does not serve.
    expect(world.discord.unknownRoutes).toEqual([]);
  }, 60_000);
});
