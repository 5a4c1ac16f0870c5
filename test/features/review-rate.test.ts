import { InteractionResponseType, MessageFlags, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/storage/audit-repo.js';
import { currentRating } from '../../src/storage/ratings-repo.js';
import { setPreferences } from '../../src/storage/review-repo.js';
import { installUnhandledRejectionGuard, type InteractionHandle } from '../support/discord/index.js';
import { seedSubmission } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

const slash = (
  name: string,
  options: Record<string, string | number | boolean> = {},
  user = t.users.reviewer,
) => t.discord.slashCommand({ channelId: t.channels.general, user, name, options });

/** The private answer: the reply itself, or the edit after a deferral. */
async function privateAnswer(handle: InteractionHandle): Promise<string> {
  const first = await handle.reply();
  expect(first.body.data.flags).toBe(MessageFlags.Ephemeral);
  if (first.body.type === InteractionResponseType.ChannelMessageWithSource)
    return String(first.body.data.content);
  return String((await handle.editReply()).body.content);
}

const posts = () => t.discord.channelMessages(t.channels.general);
const buttonIds = (message: APIMessage | undefined) =>
  (message?.components?.[0] as { components: { custom_id: string }[] } | undefined)?.components.map(
    (b) => b.custom_id,
  );
const postEdits = () =>
  t.discord.callsTo('PATCH', new RegExp(`^/channels/${t.channels.general}/messages/\\d+$`)) as {
    body: { content: string; allowed_mentions: unknown };
  }[];
/** DMs the bot sent, in order. */
const directMessages = () =>
  t.discord
    .callsTo('POST', /^\/channels\/\d+\/messages$/)
    .filter((c) => !c.path.includes(t.channels.general)) as {
    body: { content: string; allowed_mentions: unknown };
  }[];

/** A viewer's song taken with /next: its id and its Now reviewing post. */
async function underReview(submitter: APIUser = t.users.viewer): Promise<{ id: number; post: APIMessage }> {
  const id = await seedSubmission(database.db, { guildId: t.guildId, submitter: submitter.id });
  await privateAnswer(slash('next'));
  const post = posts().at(-1);
  if (!post) throw new Error('no Now reviewing post');
  return { id, post };
}

describe('/rate', () => {
  it('rates the song under review, edits its post into Reviewed with the score and verdict, and says so', async () => {
    const { id } = await underReview();
    expect(await privateAnswer(slash('rate', { score: '8.5', verdict: 'tight mix' }))).toMatch(
      new RegExp(`^Rated id ${id} \\*\\*Artist – Song \\d+\\*\\*: 8\\.5/10\\.$`),
    );
    const [post] = posts();
    const lines = post?.content.split('\n') ?? [];
    expect(lines[0]).toBe('✅ **Reviewed: 8.5/10** — tight mix');
    expect(lines[1]).toMatch(/^\*\*Artist – Song \d+\*\*$/);
    expect(lines[2]).toContain(`submitted by <@${t.users.viewer.id}> · id ${id}`);
    expect(buttonIds(post)).toEqual(['review:next', `review:correct:${id}`, `review:remove:${id}`]);
    expect(postEdits()[0]?.body.allowed_mentions).toEqual({ parse: [] });
    expect(await currentRating(database.db, t.guildId, id)).toMatchObject({
      scoreTenths: 85,
      verdict: 'tight mix',
    });
  });

  it('refuses a second rating, pointing to correct:True; the correction replaces the score on the post and is logged', async () => {
    const { id } = await underReview();
    await privateAnswer(slash('rate', { score: '6' }));
    expect(await privateAnswer(slash('rate', { score: '9' }))).toMatch(/already rated 6\/10.*correct:True/);
    expect(
      await privateAnswer(slash('rate', { score: '6,5', verdict: 'grew on me', correct: true })),
    ).toMatch(/^Corrected the rating of id \d+ .*: 6\/10 → 6\.5\/10\.$/);
    const content = posts()[0]?.content ?? '';
    expect(content.split('\n')[0]).toBe('✅ **Reviewed: 6.5/10** — grew on me');
    expect(content.match(/Reviewed:/g)).toHaveLength(1);
    expect((await listAudit(database.db, t.guildId)).slice(0, 2).map((e) => e.action)).toEqual([
      'correct_rating',
      'rate',
    ]);
    expect((await currentRating(database.db, t.guildId, id))?.scoreTenths).toBe(65);
  });

  it('with no song under review, or a score it cannot read, answers in plain words and stores nothing', async () => {
    expect(await privateAnswer(slash('rate', { score: '8' }))).toBe(
      'No song is under review right now: take one with /next first.',
    );
    const { id } = await underReview();
    expect(await privateAnswer(slash('rate', { score: '7.25' }))).toBe(
      'A score has at most one decimal, like 7.5 or 8.',
    );
    expect(await privateAnswer(slash('rate', { score: 'great' }))).toBe(
      'A score is a number from 0 to 10, like 7.5 or 8.',
    );
    expect(await privateAnswer(slash('rate', { score: '10.1' }))).toBe('A score goes up to 10.');
    expect(await currentRating(database.db, t.guildId, id)).toBeNull();
  });

  it('leaves a song played but never rated as it was, and rates only the song now under review', async () => {
    const first = await underReview();
    const second = await underReview(t.users.other);
    expect(await privateAnswer(slash('rate', { score: '5', id: first.id }))).toMatch(/is not under review/);
    expect(await privateAnswer(slash('rate', { score: '5' }))).toContain(`id ${second.id}`);
    expect(posts()[0]?.content).toMatch(/^🎧 \*\*Now reviewing:\*\*/);
    expect(await currentRating(database.db, t.guildId, first.id)).toBeNull();
    // One DM, about the rated song; the unrated one's submitter hears nothing.
    expect(directMessages()).toHaveLength(1);
    expect(t.discord.callsTo('POST', /^\/users\/@me\/channels$/).map((c) => c.body)).toEqual([
      { recipient_id: t.users.other.id },
    ]);
  });

  it('is refused to a viewer, and rates nothing', async () => {
    const { id } = await underReview();
    expect(await privateAnswer(slash('rate', { score: '1' }, t.users.viewer))).toMatch(/^Only reviewers/);
    expect(await currentRating(database.db, t.guildId, id)).toBeNull();
  });
});

describe('the Rate button on a Now reviewing post', () => {
  const press = (customId: string, message: APIMessage) =>
    t.discord.button({ channelId: t.channels.general, user: t.users.reviewer, customId, message });
  const submitForm = (customId: string, fields: Record<string, string>, message: APIMessage) =>
    t.discord.modalSubmit({
      channelId: t.channels.general,
      user: t.users.reviewer,
      customId,
      fields,
      message,
    });

  it('sits beside Next, Undo, Back to the queue and Remove, opens a form, and the form rates the song', async () => {
    const { id, post } = await underReview();
    expect(buttonIds(post)).toEqual([
      'review:next',
      `review:rate:${id}`,
      `review:undo:${id}`,
      `review:restore:${id}`,
      `review:remove:${id}`,
    ]);
    const opened = await press(`review:rate:${id}`, post).reply();
    expect(opened.body.type).toBe(InteractionResponseType.Modal);
    expect(opened.body.data).toMatchObject({ custom_id: `review:rate-form:${id}` });
    expect(
      await privateAnswer(submitForm(`review:rate-form:${id}`, { score: '8,5', verdict: '' }, post)),
    ).toMatch(/^Rated id \d+ .*: 8\.5\/10\.$/);
    expect(posts()[0]?.content.split('\n')[0]).toBe('✅ **Reviewed: 8.5/10**');
  });

  it('Correct the rating opens the form filled with the current rating, and the form corrects it', async () => {
    const { id, post } = await underReview();
    await privateAnswer(slash('rate', { score: '4', verdict: 'muddy' }));
    const opened = await press(`review:correct:${id}`, posts()[0]!).reply();
    expect(opened.body.type).toBe(InteractionResponseType.Modal);
    expect(JSON.stringify(opened.body.data)).toMatch(/"value":"4".*"value":"muddy"/);
    await privateAnswer(
      submitForm(`review:rate-form:${id}:correct`, { score: '5', verdict: 'less muddy' }, post),
    );
    expect(posts()[0]?.content.split('\n')[0]).toBe('✅ **Reviewed: 5/10** — less muddy');
  });

  it('Rate on a song already rated, or no longer under review, answers at once instead of opening the form', async () => {
    const first = await underReview();
    await privateAnswer(slash('rate', { score: '3' }));
    const rated = await press(`review:rate:${first.id}`, first.post).reply();
    expect(rated.body.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(rated.body.data.content).toMatch(/already rated 3\/10/);
    const second = await underReview(t.users.other);
    await underReview(t.users.admin);
    const gone = await press(`review:rate:${second.id}`, second.post).reply();
    expect(gone.body.data.content).toMatch(/is not under review/);
  });

  it('a form sent for a song already rated is refused, and the first rating stands', async () => {
    const { id, post } = await underReview();
    await privateAnswer(slash('rate', { score: '3' }));
    expect(
      await privateAnswer(submitForm(`review:rate-form:${id}`, { score: '10', verdict: '' }, post)),
    ).toMatch(/already rated 3\/10/);
    expect((await currentRating(database.db, t.guildId, id))?.scoreTenths).toBe(30);
  });
});

describe('the submitter hears of the rating', () => {
  it('by DM with the score and verdict, unless they turned it off with /notify rated:off', async () => {
    await underReview();
    await privateAnswer(slash('rate', { score: '9', verdict: 'huge chorus' }));
    const [dm] = directMessages();
    expect(dm?.body.content).toMatch(
      /^Your song \*\*Artist – Song \d+\*\* was rated \*\*9\/10\*\* in Music Review: huge chorus\nTurn these messages off with \/notify rated:off\.$/,
    );
    await setPreferences(database.db, t.guildId, t.users.other.id, { notifyWhenRated: false });
    await underReview(t.users.other);
    await privateAnswer(slash('rate', { score: '2' }));
    expect(directMessages()).toHaveLength(1);
  });
});

describe('a hostile verdict', () => {
  it('shows markdown and mentions as typed, on the post and in the DM, and pings nobody', async () => {
    const { id } = await underReview();
    const hostile = `**loud** @everyone <@${t.users.admin.id}> ||spoiler|| [x](https://evil.example) # big`;
    await privateAnswer(slash('rate', { score: '7', verdict: hostile }));
    const header = posts()[0]?.content.split('\n')[0] ?? '';
    expect(header).toBe(
      `✅ **Reviewed: 7/10** — \\*\\*loud\\*\\* @\u200beveryone <@\u200b${t.users.admin.id}> \\|\\|spoiler\\|\\| \\[x\\](https://evil.example) # big`,
    );
    expect(postEdits()[0]?.body.allowed_mentions).toEqual({ parse: [] });
    const [dm] = directMessages();
    expect(dm?.body.content).toContain('\\*\\*loud\\*\\* @\u200beveryone');
    expect(dm?.body.allowed_mentions).toEqual({ parse: [] });
    expect((await currentRating(database.db, t.guildId, id))?.verdict).toBe(hostile);
  });

  it('of 2,000 characters is refused in plain words, and the post stays as it was', async () => {
    const { id, post } = await underReview();
    expect(await privateAnswer(slash('rate', { score: '7', verdict: 'a'.repeat(2000) }))).toBe(
      'A verdict is at most 300 characters; yours has 2000. Shorten it and rate again.',
    );
    expect(posts()[0]?.content).toBe(post.content);
    expect(await currentRating(database.db, t.guildId, id)).toBeNull();
  });
});
