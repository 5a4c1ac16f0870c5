import { setTimeout as sleep } from 'node:timers/promises';
import { InteractionResponseType, type APIEmbed } from 'discord-api-types/v10';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbedsOptions } from '../../src/features/embeds/index.js';
import { getEmbedConfig, type EmbedConfig } from '../../src/storage/embed-configs-repo.js';
import type { TestBot } from '../support/bot/test-bot.js';
import { seedSubmission, userId } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { discordErrors, installUnhandledRejectionGuard } from '../support/discord/index.js';
import { cutQueueListener } from '../support/queue-changes.js';
import { until } from '../support/until.js';
import {
  createEmbed as createEmbedIn,
  currentMessage,
  customIdsOf,
  editsOf as editsIn,
  embedOf,
  EVENTS_ONLY,
  FAST,
  startEmbedBot,
} from './support/embed-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
let t: TestBot;

afterEach(() => t.close());

async function startBot(options: EmbedsOptions = FAST, env: Record<string, string> = {}): Promise<void> {
  t = await startEmbedBot(database, options, env);
}
const createEmbed = (kind: EmbedConfig['kind'], channelId?: string) => createEmbedIn(t, kind, channelId);
const editsOf = (config: EmbedConfig) => editsIn(t, config);

/** Waits until the safety net has run `ticks` more times (its refreshes then had time to finish). */
async function safetyNetTicks(ticks: number): Promise<void> {
  const stats = () => t.bot.ctx.scheduler.stats('embed-refresh');
  const start = stats()?.runs ?? 0;
  await until(`${ticks} safety-net ticks`, () => (stats()?.runs ?? 0) >= start + ticks, 15_000);
}

describe('/admin embed create', () => {
  beforeEach(() => startBot());

  it('posts the live queue in the channel and stores it as an active embed', async () => {
    await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.viewer.id });
    const { config, message, reply } = await createEmbed('live_queue');
    expect(reply).toContain(`embed #${config.id}`);
    expect(config).toMatchObject({
      kind: 'live_queue',
      channelId: t.channels.general,
      page: 0,
      active: true,
    });
    expect(config.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(embedOf(message).title).toBe('Live queue');
    expect(embedOf(message).description).toContain(`<@${t.users.viewer.id}>`);
  });
});

describe('refreshing embeds on a queue event', () => {
  // No safety-net tick during the test: only the event of the change can produce the edit.
  beforeEach(() => startBot(EVENTS_ONLY));

  it('edits the message after a /submit, within the debounce window', async () => {
    const { config } = await createEmbed('live_queue');
    const submit = t.discord.slashCommand({
      channelId: t.channels.submissions,
      user: t.users.viewer,
      name: 'submit',
      options: { artist: 'Nova', title: 'Night Drive', link: 'https://youtu.be/dQw4w9WgXcQ' },
    });
    await submit.reply();
    const edit = await t.discord.waitForCall<{ embeds: APIEmbed[]; allowed_mentions: unknown }>(
      (c) => c.method === 'PATCH' && c.path === `/channels/${config.channelId}/messages/${config.messageId}`,
    );
    expect(edit.body.embeds[0]?.description).toContain('Nova – Night Drive');
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('a burst of queue changes', () => {
  // A window long enough that a busy machine seeds all five songs within it, and no safety net
  // tick in between that could send an edit of its own.
  const WINDOW_MS = 1_000;
  beforeEach(() => startBot({ ...EVENTS_ONLY, debounceMs: WINDOW_MS }));

  it('makes one edit', async () => {
    const { config } = await createEmbed('live_queue');
    for (let i = 1; i <= 5; i++) {
      await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(i) });
      t.bot.ctx.queueEvents.changed(t.guildId);
    }
    await until('the edit', () => editsOf(config).length > 0);
    await sleep(2 * WINDOW_MS);
    expect(editsOf(config)).toHaveLength(1);
    expect(embedOf(t.discord.channelMessages(config.channelId)[0]!).footer?.text).toBe('Page 1/1 · 5 songs');
  });
});

describe('refreshing embeds', () => {
  beforeEach(() => startBot());

  it('clears text left on the message, such as decisions an older version appended', async () => {
    const { config } = await createEmbed('pending_skips', t.channels.reviewers);
    currentMessage(t, config).content = '*Confirmed by someone: now in 10 Skip.*';
    await seedSubmission(database.db, { guildId: t.guildId, tier: 'pending', skipAmount: 10 });
    t.bot.ctx.queueEvents.changed(t.guildId);
    await until('the edit', () => editsOf(config).length === 1);
    expect(currentMessage(t, config).content).toBe('');
  });

  it('makes no edit while the queue stays the same, and the safety net catches an unannounced change', async () => {
    const { config } = await createEmbed('reviewer_queue');
    t.bot.ctx.queueEvents.changed(t.guildId);
    await safetyNetTicks(3);
    expect(editsOf(config)).toHaveLength(0);

    const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(7) });
    await until('the safety-net edit', () => editsOf(config).length === 1);
    expect(embedOf(t.discord.channelMessages(config.channelId)[0]!).description).toContain(`#${id}`);
  });

  it('pages with the buttons, and later refreshes keep the chosen page', async () => {
    for (let i = 1; i <= 25; i++)
      await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(i) });
    const { config, message } = await createEmbed('live_queue');
    expect(embedOf(message).footer?.text).toBe('Page 1/3 · 25 songs');
    const next = t.discord.button({
      channelId: config.channelId,
      user: t.users.viewer,
      customId: `embeds:page:${config.id}:1`,
      message: message.id,
    });
    const update = await next.reply();
    expect(update.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(update.body.data.embeds?.[0]?.footer?.text).toBe('Page 2/3 · 25 songs');
    expect(update.body.data.embeds?.[0]?.description).toContain('`11.`');
    await until(
      'the page stored',
      async () => (await getEmbedConfig(database.db, t.guildId, config.id))?.page === 1,
    );

    await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(26) });
    t.bot.ctx.queueEvents.changed(t.guildId);
    await until('the edit', () => editsOf(config).length === 1);
    expect(embedOf(t.discord.channelMessages(config.channelId)[0]!).footer?.text).toBe('Page 2/3 · 26 songs');
  });

  it('shows pending skips with Confirm and Reject buttons for the review module', async () => {
    const id = await seedSubmission(database.db, { guildId: t.guildId, tier: 'pending', skipAmount: 10 });
    const { message } = await createEmbed('pending_skips', t.channels.reviewers);
    expect(customIdsOf(message)).toEqual([`review:confirm:${id}`, `review:reject:${id}`]);
    expect(embedOf(message).fields?.[0]?.name).toBe(`#${id} · asks for a 10 skip`);
  });
});

describe('an embed whose message is gone', () => {
  beforeEach(() => startBot());

  it('is deactivated and the admins are told once', async () => {
    const { config } = await createEmbed('live_queue');
    t.discord.failNext(
      'PATCH',
      `/channels/${config.channelId}/messages/${config.messageId}`,
      discordErrors.unknownMessage,
    );
    await seedSubmission(database.db, { guildId: t.guildId });
    t.bot.ctx.queueEvents.changed(t.guildId);
    await until(
      'deactivated',
      async () => !(await getEmbedConfig(database.db, t.guildId, config.id))?.active,
    );

    await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(2) });
    t.bot.ctx.queueEvents.changed(t.guildId);
    await safetyNetTicks(2);
    expect(editsOf(config)).toHaveLength(1);
    const notices = t.discord
      .channelMessages(t.channels.reviewers)
      .filter((m) => m.content.includes(`embed #${config.id}`) && m.content.includes('was deleted'));
    expect(notices).toHaveLength(1);
  });

  it('survives a permission error and updates once the permission is back', async () => {
    const { config } = await createEmbed('live_queue');
    t.discord.failNext(
      'PATCH',
      `/channels/${config.channelId}/messages/${config.messageId}`,
      discordErrors.missingPermissions,
    );
    await seedSubmission(database.db, { guildId: t.guildId });
    t.bot.ctx.queueEvents.changed(t.guildId);
    await until(
      'the refused edit and a retry',
      () => editsOf(config).filter((c) => c.status === 200).length === 1,
    );
    expect(editsOf(config).map((c) => c.status)).toEqual([403, 200]);
    expect((await getEmbedConfig(database.db, t.guildId, config.id))?.active).toBe(true);
  });
});

describe('/admin embed remove', () => {
  beforeEach(() => startBot());

  it('deletes the message and stops updating it', async () => {
    const { config } = await createEmbed('live_queue');
    const handle = t.discord.slashCommand({
      channelId: t.channels.reviewers,
      user: t.users.admin,
      name: 'admin',
      subcommandGroup: 'embed',
      subcommand: 'remove',
      options: { id: config.id },
    });
    expect(String((await handle.reply()).body.data.content)).toContain(`Removed embed #${config.id}`);
    expect(t.discord.channelMessages(config.channelId)).toEqual([]);
    expect((await getEmbedConfig(database.db, t.guildId, config.id))?.active).toBe(false);
  });
});

describe('queue changes announced by another process', () => {
  let other: pg.Client;
  beforeEach(async () => {
    await startBot(EVENTS_ONLY, { DATABASE_URL: database.url! });
    other = new pg.Client({ connectionString: database.url });
    await other.connect();
  });
  afterEach(async () => {
    await other.end();
  });

  /** Announces a change of the guild, as another bot process does, until the embed is edited. */
  async function announceUntilEdited(config: EmbedConfig, edits: number): Promise<void> {
    // The listener (re)connects in the background; repeat the announcement until it is heard.
    await until(
      'the edit',
      async () => {
        await other.query('SELECT pg_notify($1, $2)', ['queue_changed', t.guildId]);
        return editsOf(config).length >= edits;
      },
      15_000,
    );
  }

  it('refresh the embeds through LISTEN/NOTIFY before the safety net would', async () => {
    const { config } = await createEmbed('live_queue');
    await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.other.id });
    await announceUntilEdited(config, 1);
    expect(embedOf(t.discord.channelMessages(config.channelId)[0]!).description).toContain(
      `<@${t.users.other.id}>`,
    );
  });

  it('are still heard after the listening connection was cut', async () => {
    const { config } = await createEmbed('live_queue');
    await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(1) });
    await announceUntilEdited(config, 1);
    await (await cutQueueListener(other)).reconnected();
    await seedSubmission(database.db, { guildId: t.guildId, submitter: userId(2) });
    await announceUntilEdited(config, 2);
    expect(embedOf(currentMessage(t, config)).description).toContain(`<@${userId(2)}>`);
  });
});
