import { InteractionResponseType, MessageFlags, type APIUser } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import type { Tier } from '../../src/domain/tiers.js';
import type { EmbedConfig } from '../../src/storage/embed-configs-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { seedSubmission } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard, type InteractionHandle } from '../support/discord/index.js';
import { until } from '../support/until.js';
import {
  createEmbed,
  currentMessage,
  customIdsOf,
  editsOf,
  embedOf,
  EVENTS_ONLY,
  useEmbedBot,
} from './support/embed-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
// Only queue events refresh the embeds here: an edit proves the control announced its change.
const t = useEmbedBot(database, EVENTS_ONLY);

const seed = (submitter: APIUser, options: { tier?: Tier; skipAmount?: number } = {}) =>
  seedSubmission(database.db, { guildId: t.guildId, submitter: submitter.id, ...options });
const tierOf = async (id: number) => (await getSubmission(database.db, t.guildId, id)).tier;

const press = (config: EmbedConfig, customId: string, user: APIUser = t.users.reviewer) =>
  t.discord.button({ channelId: config.channelId, user, customId, message: config.messageId! });

/** The private answer to a component: a reply, or a deferral then its edit. */
async function privateAnswer(handle: InteractionHandle): Promise<string> {
  const first = await handle.reply();
  expect(first.body.data.flags).toBe(MessageFlags.Ephemeral);
  if (first.body.type === InteractionResponseType.ChannelMessageWithSource) {
    return String(first.body.data.content);
  }
  expect(first.body.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  return String((await handle.editReply()).body.content);
}

describe('Confirm and Reject on the pending skips embed', () => {
  async function twoPendingSkips() {
    const first = await seed(t.users.viewer, { tier: 'pending', skipAmount: 10 });
    const second = await seed(t.users.other, { tier: 'pending', skipAmount: 20 });
    const { config } = await createEmbed(t, 'pending_skips', t.channels.reviewers);
    return { first, second, config };
  }

  it('Confirm answers the reviewer privately, and the refresh leaves the other skip with its buttons', async () => {
    const { first, second, config } = await twoPendingSkips();
    expect(customIdsOf(currentMessage(t, config))).toEqual([
      `review:confirm:${first}`,
      `review:reject:${first}`,
      `review:confirm:${second}`,
      `review:reject:${second}`,
    ]);

    expect(await privateAnswer(press(config, `review:confirm:${first}`))).toMatch(
      new RegExp(`Confirmed: id ${first} .* is now in 10 Skip`),
    );
    expect(await tierOf(first)).toBe('skip10');

    await until('the embed refreshed', () => editsOf(t, config).length === 1);
    const message = currentMessage(t, config);
    expect(embedOf(message).fields?.map((f) => f.name)).toEqual([`#${second} · asks for a 20 skip`]);
    expect(customIdsOf(message)).toEqual([`review:confirm:${second}`, `review:reject:${second}`]);
    expect(message.content).toBe('');
    expect((editsOf(t, config)[0]?.body as { content?: string }).content).toBe('');
  });

  it('Reject sends the song back to Free and the refresh drops it from the embed', async () => {
    const { first, second, config } = await twoPendingSkips();
    expect(await privateAnswer(press(config, `review:reject:${second}`))).toMatch(
      new RegExp(`Rejected the skip: id ${second} .* is back in Free`),
    );
    expect(await tierOf(second)).toBe('free');
    await until('the embed refreshed', () => editsOf(t, config).length === 1);
    expect(customIdsOf(currentMessage(t, config))).toEqual([
      `review:confirm:${first}`,
      `review:reject:${first}`,
    ]);
  });

  it('many decisions in a row never grow the message', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await seed(t.users.viewer, { tier: 'pending', skipAmount: 5 }));
    const { config } = await createEmbed(t, 'pending_skips', t.channels.reviewers);
    for (const id of ids) {
      expect(await privateAnswer(press(config, `review:confirm:${id}`))).toMatch(/^Confirmed/);
    }
    await until('the embed shows no skips', () =>
      Boolean(embedOf(currentMessage(t, config)).description?.includes('No skips are waiting')),
    );
    expect(currentMessage(t, config).content).toBe('');
    expect(currentMessage(t, config).components).toEqual([]);
  });
});

describe('controls on the reviewer queue embed', () => {
  async function reviewerQueue() {
    const head = await seed(t.users.viewer, { tier: 'skip25', skipAmount: 30 });
    const second = await seed(t.users.other);
    const { config } = await createEmbed(t, 'reviewer_queue', t.channels.reviewers);
    return { head, second, config };
  }

  it('Next song takes the head of the queue for the reviewer, and the embed drops it', async () => {
    const { head, second, config } = await reviewerQueue();
    expect(customIdsOf(currentMessage(t, config))).toEqual([`embeds:remove:${config.id}`, 'review:next']);

    expect(await privateAnswer(press(config, 'review:next'))).toContain(`Now reviewing id ${head}`);
    expect(await getSubmission(database.db, t.guildId, head)).toMatchObject({
      tier: 'played',
      playedBy: t.users.reviewer.id,
    });
    expect(await tierOf(second)).toBe('free');
    await until('the embed refreshed', () => editsOf(t, config).length === 1);
    expect(embedOf(currentMessage(t, config)).description).not.toContain(`#${head}`);
  });

  it('Next song is refused privately to a viewer, and nothing changes', async () => {
    const { head, config } = await reviewerQueue();
    const before = t.discord.channelMessages(config.channelId).length;
    expect(await privateAnswer(press(config, 'review:next', t.users.viewer))).toMatch(/Only reviewers/);
    expect(await tierOf(head)).toBe('skip25');
    expect(t.discord.channelMessages(config.channelId)).toHaveLength(before);
    expect(editsOf(t, config)).toHaveLength(0);
  });

  it('Remove takes the chosen song out of the queue, as /remove does', async () => {
    const { head, second, config } = await reviewerQueue();
    const select = t.discord.selectMenu({
      channelId: config.channelId,
      user: t.users.reviewer,
      customId: `embeds:remove:${config.id}`,
      message: config.messageId!,
      values: [String(head)],
    });
    expect(await privateAnswer(select)).toMatch(
      new RegExp(`Removed id ${head} .*<@${t.users.viewer.id}> keeps a 25\\+ Skip credit`),
    );
    expect(await tierOf(head)).toBe('removed');
    expect(await tierOf(second)).toBe('free');
    await until('the embed refreshed', () => editsOf(t, config).length === 1);
    expect(embedOf(currentMessage(t, config)).description).not.toContain(`#${head}`);
  });

  it('Remove is refused privately to a viewer, and nothing changes', async () => {
    const { head, config } = await reviewerQueue();
    const select = t.discord.selectMenu({
      channelId: config.channelId,
      user: t.users.viewer,
      customId: `embeds:remove:${config.id}`,
      message: config.messageId!,
      values: [String(head)],
    });
    expect(await privateAnswer(select)).toMatch(/Only reviewers/);
    expect(await tierOf(head)).toBe('skip25');
  });

  it('Remove from a message that is not the embed is refused, and nothing changes', async () => {
    const { head, config } = await reviewerQueue();
    const stray = t.discord.message({ channelId: config.channelId, author: t.users.admin, content: 'hello' });
    const select = t.discord.selectMenu({
      channelId: config.channelId,
      user: t.users.reviewer,
      customId: `embeds:remove:${config.id}`,
      message: stray,
      values: [String(head)],
    });
    expect(await privateAnswer(select)).toMatch(/no longer updates/);
    expect(await tierOf(head)).toBe('skip25');
  });
});
