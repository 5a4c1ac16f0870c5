import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { InteractionResponseType, MessageFlags, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/connect.js';
import { setPreferences } from '../../src/storage/review-repo.js';
import { getSubmission } from '../../src/storage/submissions-repo.js';
import { discordErrors, installUnhandledRejectionGuard } from '../support/discord/index.js';
import { setDiscordPoints } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { MP3_BYTES } from '../support/audio-samples.js';
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
const tierOf = async (id: number) => (await getSubmission(database.db, t.guildId, id)).tier;

function next(user: APIUser = t.users.reviewer) {
  return t.discord.slashCommand({ channelId: t.channels.general, user, name: 'next' });
}

/** The reviewer's private answer: after the deferral, the edit. */
async function privateAnswer(handle: ReturnType<typeof next>): Promise<string> {
  const first = await handle.reply();
  if (first.body.type === InteractionResponseType.ChannelMessageWithSource) {
    return String(first.body.data.content);
  }
  expect(first.body.data.flags).toBe(MessageFlags.Ephemeral);
  return String((await handle.editReply()).body.content);
}

const posts = () => t.discord.channelMessages(t.channels.general);
const postCalls = () =>
  t.discord.callsTo('POST', new RegExp(`^/channels/${t.channels.general}/messages$`)) as {
    body: { content: string; allowed_mentions: unknown };
    files: { data: Buffer; name: string }[];
  }[];

describe('/next', () => {
  it('posts the head of the queue in tier order, marks it played and resets its submitter points', async () => {
    await setDiscordPoints(database.db, t.guildId, t.users.other.id, 40);
    const free = await seed(t.users.viewer, { score: 99 });
    const skip = await seed(t.users.other, { tier: 'skip25', skipAmount: 30 });

    expect(await privateAnswer(next())).toContain(`Now reviewing id ${skip}`);
    const [post] = posts();
    expect(post?.content).toMatch(/Now reviewing:\*\* \*\*Artist – Song \d+\*\*/);
    expect(post?.content).toContain(`25+ Skip (30) · submitted by <@${t.users.other.id}> · id ${skip}`);
    expect(post?.content).toMatch(/https:\/\/soundcloud\.com\/artist\/song-\d+/);
    const taken = await getSubmission(database.db, t.guildId, skip);
    expect(taken).toMatchObject({ tier: 'played', playedBy: t.users.reviewer.id });
    expect(await tierOf(free)).toBe('free');
    const [points] = await rowsOf<{ points: number }>(
      database.db,
      sql`SELECT points FROM user_points WHERE discord_user_id = ${t.users.other.id}`,
    );
    expect(points?.points).toBe(0);
    expect(await queueChanges.settle()).toEqual([t.guildId]);

    await privateAnswer(next());
    expect(posts()[1]?.content).toContain(`id ${free}`);
  });

  it('allows the mention of the submitter and of nobody else', async () => {
    await seed(t.users.viewer);
    await privateAnswer(next());
    const [call] = postCalls();
    expect(call?.body.content).toContain(`<@${t.users.viewer.id}>`);
    expect(call?.body.allowed_mentions).toEqual({ users: [t.users.viewer.id] });
  });

  it('leaves out the mention of a submitter who opted out, and allows no mentions', async () => {
    await setPreferences(database.db, t.guildId, t.users.viewer.id, { mentionWhenReviewed: false });
    await seed(t.users.viewer);
    await privateAnswer(next());
    const [call] = postCalls();
    expect(call?.body.content).not.toContain(`<@${t.users.viewer.id}>`);
    expect(call?.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('attaches an uploaded song from the uploads folder', async () => {
    const id = await seed(t.users.viewer);
    await fs.mkdir(path.join(t.dataDir, 'uploads'), { recursive: true });
    await fs.writeFile(
      path.join(t.dataDir, 'uploads', 'b9c7e0de-0000-4000-8000-000000000001.mp3'),
      MP3_BYTES,
    );
    await database.db.execute(
      sql`UPDATE submissions SET link = NULL, file_path = 'b9c7e0de-0000-4000-8000-000000000001.mp3',
            file_name = '../my <song>.mp3' WHERE id = ${id}`,
    );
    await privateAnswer(next());
    const [call] = postCalls();
    expect(call?.files).toHaveLength(1);
    expect(call?.files[0]?.data.equals(MP3_BYTES)).toBe(true);
    expect(call?.files[0]?.name).toMatch(/^[\w\- ]+\.mp3$/);
  });

  it("points to the studio instead of re-posting a file past the channel's upload limit", async () => {
    const id = await seed(t.users.viewer);
    await fs.mkdir(path.join(t.dataDir, 'uploads'), { recursive: true });
    // The local Discord reports Discord's unboosted 10 MiB limit; uploads may be up to 25 MB.
    const big = Buffer.concat([MP3_BYTES, Buffer.alloc(10 * 1024 * 1024)]);
    await fs.writeFile(path.join(t.dataDir, 'uploads', 'b9c7e0de-0000-4000-8000-000000000002.mp3'), big);
    await database.db.execute(
      sql`UPDATE submissions SET link = NULL, file_path = 'b9c7e0de-0000-4000-8000-000000000002.mp3',
            file_name = 'long take.mp3' WHERE id = ${id}`,
    );
    expect(await privateAnswer(next())).toMatch(new RegExp(`^Now reviewing id ${id} `));
    const [call] = postCalls();
    expect(call?.files).toEqual([]);
    expect(call?.body.content).toMatch(/\(10\.0 MB\) is larger than this server lets me post; .*\/studio/);
    expect(await tierOf(id)).toBe('played');
  });

  it('says the queue is empty when only Pending Skips wait, and posts nothing', async () => {
    const pending = await seed(t.users.viewer, { tier: 'pending', skipAmount: 10 });
    expect(await privateAnswer(next())).toMatch(/The queue is empty/);
    expect(posts()).toEqual([]);
    expect(await tierOf(pending)).toBe('pending');
  });

  it('still tells the reviewer which song was taken when the post fails', async () => {
    const id = await seed(t.users.viewer);
    t.discord.failNext('POST', `/channels/${t.channels.general}/messages`, discordErrors.missingPermissions);
    expect(await privateAnswer(next())).toMatch(
      new RegExp(`Now reviewing id ${id} .*https://soundcloud.com/.*couldn't post it in this channel`),
    );
    expect(await tierOf(id)).toBe('played');
  });

  it('is refused to a viewer, and takes nothing', async () => {
    const id = await seed(t.users.viewer);
    const reply = await next(t.users.viewer).reply();
    expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
    expect(reply.body.data.content).toMatch(/Only reviewers/);
    expect(await tierOf(id)).toBe('free');
    expect(posts()).toEqual([]);
  });

  it('never gives the same song to two reviewers pressing at the same moment', async () => {
    const first = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    const second = await seed(t.users.other, { score: 5 });
    const third = await seed(t.users.admin, { score: 1 });

    const byReviewer = next(t.users.reviewer);
    const byAdmin = next(t.users.admin);
    await Promise.all([privateAnswer(byReviewer), privateAnswer(byAdmin)]);

    const postedIds = posts().map((p) => Number(/· id (\d+)/.exec(p.content)?.[1]));
    expect(postedIds.sort()).toEqual([first, second].sort());
    expect(await tierOf(first)).toBe('played');
    expect(await tierOf(second)).toBe('played');
    expect(await tierOf(third)).toBe('free');
  });
});

describe("you're-next DM", () => {
  it('goes to the owner of the song now first in line when they opted in', async () => {
    await seed(t.users.viewer, { tier: 'skip5', skipAmount: 5 });
    await seed(t.users.other);
    await setPreferences(database.db, t.guildId, t.users.other.id, { notifyWhenNext: true });
    await privateAnswer(next());
    const open = await t.discord.waitForCall((c) => c.method === 'POST' && c.path === '/users/@me/channels');
    expect(open.body).toEqual({ recipient_id: t.users.other.id });
    const dm = (open.response as { id: string }).id;
    const sent = await t.discord.waitForCall<{ content: string }>(
      (c) => c.method === 'POST' && c.path === `/channels/${dm}/messages`,
    );
    expect(sent.body.content).toMatch(
      /^You're next! \*\*Artist – Song \d+\*\* is first in line in Music Review/,
    );
  });

  it('is not sent to an owner who did not opt in', async () => {
    await seed(t.users.viewer, { tier: 'skip5', skipAmount: 5 });
    await seed(t.users.other);
    await privateAnswer(next());
    expect(t.discord.callsTo('POST', /^\/users\/@me\/channels$/)).toEqual([]);
  });

  it('failing (DMs closed) does not break /next', async () => {
    const first = await seed(t.users.viewer, { tier: 'skip5', skipAmount: 5 });
    const second = await seed(t.users.other);
    await setPreferences(database.db, t.guildId, t.users.other.id, { notifyWhenNext: true });
    t.discord.failNext('POST', '/users/@me/channels', discordErrors.cannotSendToUser);

    expect(await privateAnswer(next())).toContain(`Now reviewing id ${first}`);
    const refused = await t.discord.waitForCall(
      (c) => c.method === 'POST' && c.path === '/users/@me/channels',
    );
    expect(refused.status).toBe(403);
    expect(await privateAnswer(next())).toContain(`Now reviewing id ${second}`);
    expect(posts()).toHaveLength(2);
  });
});

describe('buttons on a Now reviewing post', () => {
  async function reviewedPost(): Promise<{ id: number; post: APIMessage }> {
    const id = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    await seed(t.users.other);
    await privateAnswer(next());
    return { id, post: posts()[0]! };
  }
  const press = (customId: string, post: APIMessage, user: APIUser = t.users.reviewer) =>
    t.discord.button({ channelId: t.channels.general, user, customId, message: post });
  const buttonIds = (message: APIMessage | undefined) =>
    (message?.components?.[0] as { components: { custom_id: string }[] } | undefined)?.components.map(
      (b) => b.custom_id,
    );

  it('offer Next, Rate, Undo, Back to the queue and Remove', async () => {
    const { id, post } = await reviewedPost();
    expect(buttonIds(post)).toEqual([
      'review:next',
      `review:rate:${id}`,
      `review:undo:${id}`,
      `review:restore:${id}`,
      `review:remove:${id}`,
    ]);
  });

  it('Next takes the following song', async () => {
    const { post } = await reviewedPost();
    expect(await privateAnswer(press('review:next', post))).toMatch(/Now reviewing id \d+/);
    expect(posts()).toHaveLength(2);
    expect(posts()[1]?.content).toContain(`<@${t.users.other.id}>`);
  });

  it('Remove takes a played song out of the history, and only Next stays', async () => {
    const { id, post } = await reviewedPost();
    const update = await press(`review:remove:${id}`, post).reply();
    expect(update.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(update.body.data.content).toContain(`Removed by <@${t.users.reviewer.id}>`);
    expect(buttonIds(posts()[0])).toEqual(['review:next']);
    expect(await tierOf(id)).toBe('removed');
    expect(await queueChanges.settle()).toEqual([t.guildId, t.guildId]);
  });

  it('Back to the queue puts the song in Free', async () => {
    const { id, post } = await reviewedPost();
    await press(`review:restore:${id}`, post).reply();
    expect(await tierOf(id)).toBe('free');
  });

  it('are refused to a viewer, and change nothing', async () => {
    const { id, post } = await reviewedPost();
    const reply = await press(`review:remove:${id}`, post, t.users.viewer).reply();
    expect(reply.body.data.content).toMatch(/Only reviewers/);
    expect(await tierOf(id)).toBe('played');
    expect(buttonIds(posts()[0])).toHaveLength(5);
  });
});
