import { sql } from 'drizzle-orm';
import { MessageFlags, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard, type OptionValue } from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { MODULES_WITHOUT_JOBS, recordQueueChanges, type SeedOptions } from '../support/queue-changes.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database, { modules: MODULES_WITHOUT_JOBS });
let queueChanges: ReturnType<typeof recordQueueChanges>;

beforeEach(() => {
  queueChanges = recordQueueChanges(database, t.bot.ctx.queueEvents);
});

/** Seeds a song; the change it made is heard before the test acts, and forgotten. */
const seed = (submitter: APIUser, options: SeedOptions = {}) =>
  queueChanges.seedHeard(t.guildId, submitter.id, options);
const stored = (id: number) => getSubmission(database.db, t.guildId, id);

/** Runs a command and returns its (ephemeral) answer. */
async function run(name: string, options: Record<string, OptionValue>, user: APIUser = t.users.reviewer) {
  const reply = await t.discord
    .slashCommand({ channelId: t.channels.reviewers, user, name, options })
    .reply();
  expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
  expect(reply.body.data.allowed_mentions).toEqual({ parse: [] });
  return String(reply.body.data.content);
}

describe('/remove', () => {
  it('removes a paid skip and leaves its submitter a credit', async () => {
    const id = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    expect(await run('remove', { id })).toMatch(
      new RegExp(`Removed id ${id} .*<@${t.users.viewer.id}> keeps a 10 Skip credit`),
    );
    expect((await stored(id)).tier).toBe('removed');
    const credits = await rowsOf<{ tier: string }>(
      database.db,
      sql`SELECT tier FROM skip_credits WHERE discord_user_id = ${t.users.viewer.id} AND used_at IS NULL`,
    );
    expect(credits).toEqual([{ tier: 'skip10' }]);
    expect(await queueChanges.settle()).toEqual([t.guildId]);
  });

  it('without credit needs a reason, and then keeps none', async () => {
    const id = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    expect(await run('remove', { id, without_credit: true })).toMatch(/needs a reason/);
    expect((await stored(id)).tier).toBe('skip10');
    expect(await run('remove', { id, without_credit: true, reason: 'spam' })).not.toMatch(/credit/);
    expect((await stored(id)).removeReason).toBe('spam');
    const [credits] = await rowsOf<{ n: number }>(database.db, sql`SELECT count(*) AS n FROM skip_credits`);
    expect(credits?.n).toBe(0);
  });

  it('is refused to a viewer, and removes nothing', async () => {
    const id = await seed(t.users.other);
    expect(await run('remove', { id }, t.users.viewer)).toMatch(/Only reviewers/);
    expect((await stored(id)).tier).toBe('free');
    expect(await queueChanges.settle()).toEqual([]);
  });

  it('says so for an unknown id', async () => {
    expect(await run('remove', { id: 999_999 })).toMatch(/no song with id 999999/);
  });
});

describe('/restore', () => {
  it('puts a played song back in Free', async () => {
    const id = await seed(t.users.viewer, { tier: 'played' });
    expect(await run('restore', { id })).toMatch(/back in Free/);
    expect((await stored(id)).tier).toBe('free');
    expect(await queueChanges.settle()).toEqual([t.guildId]);
  });

  it('refuses a song that is still waiting, with the rule', async () => {
    const id = await seed(t.users.viewer);
    expect(await run('restore', { id })).toMatch(/Only songs in Songs Played or Removed can be restored/);
    expect((await stored(id)).tier).toBe('free');
  });
});

describe('/move', () => {
  it('offers the open tiers as choices', () => {
    const move = t.discord.registeredCommands().find((c) => c.name === 'move');
    const tier = move?.options?.find((o) => o.name === 'tier') as { choices?: { value: string }[] };
    expect(tier.choices?.map((c) => c.value)).toEqual([
      'skip25',
      'skip20',
      'skip15',
      'skip10',
      'skip5',
      'free',
      'pending',
    ]);
  });

  it('moves a waiting song to another tier and logs who did it', async () => {
    const id = await seed(t.users.viewer);
    expect(await run('move', { id, tier: 'skip15' })).toMatch(/to 15 Skip/);
    expect((await stored(id)).tier).toBe('skip15');
    const [entry] = await listAudit(database.db, t.guildId);
    expect(entry).toMatchObject({ action: 'move', actorId: t.users.reviewer.id, submissionId: id });
    expect(await queueChanges.settle()).toEqual([t.guildId]);
  });

  it.each([
    ['to the tier it is in', 'free', 'free', /already in Free/],
    ['a played song', 'played', 'skip5', /restore it first/],
    ['into Songs Played by hand', 'free', 'played', /play it instead/],
  ] as const)('refuses a move %s with the rule, and changes nothing', async (_name, from, to, rule) => {
    const id = await seed(t.users.viewer, { tier: from });
    expect(await run('move', { id, tier: to })).toMatch(rule);
    expect((await stored(id)).tier).toBe(from);
    expect(await queueChanges.settle()).toEqual([]);
  });

  it('is refused to a viewer', async () => {
    const id = await seed(t.users.other);
    expect(await run('move', { id, tier: 'skip25' }, t.users.viewer)).toMatch(/Only reviewers/);
    expect((await stored(id)).tier).toBe('free');
  });
});

describe('paid skips', () => {
  async function requestSkip(amount: number, user: APIUser = t.users.viewer) {
    return run('skip', { amount }, user);
  }
  const requestPost = () => t.discord.channelMessages(t.channels.reviewers)[0];
  const press = (customId: string, message: APIMessage, user: APIUser = t.users.reviewer) =>
    t.discord.button({ channelId: t.channels.reviewers, user, customId, message }).reply();

  it('/skip puts the Free song in Pending Skips and asks the reviewers with Confirm and Reject', async () => {
    const id = await seed(t.users.viewer);
    expect(await requestSkip(12)).toMatch(
      /is waiting in Pending Skips\. Once a reviewer confirms your payment of 12, it moves up to 10 Skip\./,
    );
    expect(await stored(id)).toMatchObject({ tier: 'pending', requestedSkipAmount: 12 });
    const post = requestPost();
    expect(post?.content).toContain(`<@${t.users.viewer.id}> asks for a skip of **12** (10 Skip)`);
    const buttons = (post?.components?.[0] as { components: { custom_id: string }[] }).components;
    expect(buttons.map((b) => b.custom_id)).toEqual([`review:confirm:${id}`, `review:reject:${id}`]);
    const [call] = t.discord.callsTo('POST', new RegExp(`^/channels/${t.channels.reviewers}/messages$`));
    expect((call?.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });
    expect(await queueChanges.settle()).toEqual([t.guildId]);
  });

  it('/skip below 5 is refused with the smallest amount, and changes nothing', async () => {
    const id = await seed(t.users.viewer);
    expect(await requestSkip(3)).toMatch(/smallest skip is 5/);
    expect((await stored(id)).tier).toBe('free');
    expect(requestPost()).toBeUndefined();
  });

  it('/skip without a song in Free says how to submit', async () => {
    expect(await requestSkip(10)).toMatch(/Submit one first with \/submit/);
  });

  it('Confirm moves the song to the tier of its amount and closes the request', async () => {
    const id = await seed(t.users.viewer);
    await requestSkip(20);
    const update = await press(`review:confirm:${id}`, requestPost()!);
    expect(update.body.data.content).toMatch(/Confirmed by .*: now in 20 Skip/);
    expect(requestPost()?.components).toEqual([]);
    expect(await stored(id)).toMatchObject({ tier: 'skip20', skipAmount: 20 });
  });

  it('Reject sends the song back to Free', async () => {
    const id = await seed(t.users.viewer);
    await requestSkip(5);
    expect((await press(`review:reject:${id}`, requestPost()!)).body.data.content).toMatch(/Rejected by/);
    expect((await stored(id)).tier).toBe('free');
  });

  it.each(['confirm', 'reject'])('%s is refused to a viewer, and changes nothing', async (action) => {
    const id = await seed(t.users.other);
    await requestSkip(10, t.users.other);
    const reply = await press(`review:${action}:${id}`, requestPost()!, t.users.viewer);
    expect(reply.body.data.content).toMatch(/Only reviewers/);
    expect((await stored(id)).tier).toBe('pending');
    expect(requestPost()?.components).toHaveLength(1);
  });

  it('/confirm-skip and /reject-skip decide by id; a reason is kept in the audit log', async () => {
    const confirmed = await seed(t.users.viewer, { tier: 'pending', skipAmount: 25 });
    const rejected = await seed(t.users.other, { tier: 'pending', skipAmount: 10 });
    expect(await run('confirm-skip', { id: confirmed })).toMatch(/is now in 25\+ Skip/);
    expect(await run('reject-skip', { id: rejected, reason: 'no payment' })).toMatch(/back in Free/);
    expect((await stored(confirmed)).tier).toBe('skip25');
    expect((await stored(rejected)).tier).toBe('free');
    const [latest] = await listAudit(database.db, t.guildId);
    expect(latest).toMatchObject({ action: 'reject_skip', reason: 'no payment', submissionId: rejected });
  });

  it('/confirm-skip on a song without a request is refused with the rule', async () => {
    const id = await seed(t.users.viewer);
    expect(await run('confirm-skip', { id })).toMatch(/no skip request waiting/);
    expect((await stored(id)).tier).toBe('free');
  });

  it('/confirm-skip is refused to a viewer', async () => {
    const id = await seed(t.users.other, { tier: 'pending', skipAmount: 10 });
    expect(await run('confirm-skip', { id }, t.users.viewer)).toMatch(/Only reviewers/);
    expect((await stored(id)).tier).toBe('pending');
  });
});
