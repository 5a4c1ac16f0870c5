import { sql } from 'drizzle-orm';
import { InteractionResponseType, MessageFlags, type APIEmbed, type APIUser } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { OPEN_TIERS, type Tier } from '../../src/domain/tiers.js';
import { rateSong } from '../../src/storage/ratings-repo.js';
import { getPreferences, takeNextForReview } from '../../src/storage/review-repo.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard, type OptionValue } from '../support/discord/index.js';
import { linkTikTok, seedSubmission, setDiscordPoints } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

const seed = (
  submitter: APIUser,
  options: { tier?: Tier; skipAmount?: number; score?: number; submittedAt?: Date } = {},
) => seedSubmission(database.db, { guildId: t.guildId, submitter: submitter.id, ...options });

function command(name: string, options: Record<string, OptionValue> = {}, user: APIUser = t.users.viewer) {
  return t.discord.slashCommand({ channelId: t.channels.general, user, name, options });
}

/** A command's ephemeral answer, sent without mentions. */
async function answer(name: string, options: Record<string, OptionValue> = {}, user?: APIUser) {
  const reply = await command(name, options, user).reply();
  expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
  expect(reply.body.data.allowed_mentions).toEqual({ parse: [] });
  return reply.body.data;
}

const embedOf = (data: { embeds?: APIEmbed[] }) => data.embeds?.[0];
const customIds = (data: { components?: unknown[] }) =>
  (data.components?.[0] as { components: { custom_id: string; disabled?: boolean }[] } | undefined)
    ?.components;

describe('/queue', () => {
  it('lists the serving tiers then Pending Skips, with places, escaped names and submitter mentions', async () => {
    const free = await seed(t.users.viewer);
    const skip = await seed(t.users.other, { tier: 'skip10', skipAmount: 10 });
    const pending = await seed(t.users.admin, { tier: 'pending', skipAmount: 5 });
    await database.db.execute(
      sql`UPDATE submissions SET artist = '**bold**', title = '@everyone' WHERE id = ${free}`,
    );

    const embed = embedOf(await answer('queue'));
    expect(embed?.description?.split('\n')).toEqual([
      '**10 Skip**',
      expect.stringMatching(new RegExp(`^#1 Artist – Song \\d+ · <@${t.users.other.id}> \\(id ${skip}\\)$`)),
      '**Free**',
      `#2 \\*\\*bold\\*\\* – @\u200beveryone · <@${t.users.viewer.id}> (id ${free})`,
      '**Pending Skips**',
      expect.stringMatching(
        new RegExp(`^– Artist – Song \\d+ · <@${t.users.admin.id}> \\(id ${pending}\\)$`),
      ),
    ]);
    expect(embed?.footer?.text).toBe('Page 1/1 · 3 waiting');
  });

  it('says so when the queue is empty', async () => {
    const data = await answer('queue');
    expect(embedOf(data)?.description).toMatch(/The queue is empty/);
    expect(data.components).toEqual([]);
  });

  it('pages by 10 with Previous and Next buttons that redraw the message', async () => {
    const ids: number[] = [];
    // Ordered by submission time at equal scores: a score set per row here would be undone by the
    // score-sync job whenever a 30 s tick falls inside the seeding.
    const start = Date.now() - 60_000;
    for (let i = 0; i < 12; i++)
      ids.push(await seed(t.users.viewer, { submittedAt: new Date(start + i * 1000) }));
    const handle = command('queue');
    const first = (await handle.reply()).body.data;
    expect(embedOf(first)?.footer?.text).toBe('Page 1/2 · 12 waiting');
    expect(embedOf(first)?.description?.split('\n')).toHaveLength(11);
    expect(customIds(first)).toEqual([
      expect.objectContaining({ custom_id: 'queue:page:0', disabled: true }),
      expect.objectContaining({ custom_id: 'queue:page:2', disabled: false }),
    ]);

    const message = handle.originalMessage()!;
    const click = (customId: string) =>
      t.discord.button({ channelId: t.channels.general, user: t.users.viewer, customId, message }).reply();
    const second = await click('queue:page:2');
    expect(second.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(embedOf(second.body.data)?.footer?.text).toBe('Page 2/2 · 12 waiting');
    expect(embedOf(second.body.data)?.description).toContain(`(id ${ids[11]})`);
    expect(embedOf(second.body.data)?.description).not.toContain(`(id ${ids[0]})`);
    expect(embedOf(handle.originalMessage()!)?.footer?.text).toBe('Page 2/2 · 12 waiting');

    const back = await click('queue:page:1');
    expect(embedOf(back.body.data)?.description).toContain(`#1 Artist`);
  });

  it('refuses a page beyond the last and says which pages exist', async () => {
    await seed(t.users.viewer);
    const data = await answer('queue', { page: 3 });
    expect(data.content).toBe('There is only 1 page of the queue; use a page from 1 to 1.');
    expect(data.embeds ?? []).toEqual([]);
  });
});

describe('/position', () => {
  it('gives the place in Free and the points behind it (Discord + linked TikTok)', async () => {
    await seed(t.users.other, { tier: 'skip5', skipAmount: 5 });
    const id = await seed(t.users.viewer);
    await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 30);
    await linkTikTok(database.db, t.guildId, t.users.viewer.id, { id: '7001', handle: 'fan_1', points: 12 });
    const { content } = await answer('position');
    expect(content).toContain(`(id ${id}) is **#2** in line, in **Free**.`);
    expect(content).toContain('Your points: **42** (Discord 30 + TikTok @fan\\_1 12)');
  });

  it('explains a skip tier by its amount', async () => {
    await seed(t.users.viewer, { tier: 'skip25', skipAmount: 40 });
    const { content } = await answer('position');
    expect(content).toMatch(/is \*\*#1\*\* in line, in \*\*25\+ Skip\*\*/);
    expect(content).toMatch(/bigger skips go first.*your skip: 40/);
  });

  it('says a Pending Skip waits for a reviewer', async () => {
    await seed(t.users.viewer, { tier: 'pending', skipAmount: 10 });
    expect((await answer('position')).content).toMatch(
      /Pending Skips\*\*: a reviewer confirms your skip of 10/,
    );
  });

  it('without a song, says how to submit one', async () => {
    expect((await answer('position')).content).toBe(
      `You have no song in the queue. Submit one with /submit or paste a link in <#${t.channels.submissions}>.`,
    );
  });
});

describe('/my-submissions', () => {
  async function playedAndOpen() {
    const played = await seed(t.users.viewer, { tier: 'played' });
    await database.db.execute(sql`UPDATE submissions SET played_at = now() WHERE id = ${played}`);
    const open = await seed(t.users.viewer, { score: 1 });
    return { played, open };
  }

  it('lists open and played songs, and offers the played ones to submit again', async () => {
    const { played, open } = await playedAndOpen();
    const data = await answer('my-submissions');
    expect(data.content).toContain(`id ${open} · **Artist – Song`);
    expect(data.content).toMatch(new RegExp(`id ${open} .* · Free, #1 in line`));
    expect(data.content).toMatch(new RegExp(`id ${played} .* · played \\d{4}-\\d\\d-\\d\\d`));
    const menu = (
      data.components?.[0] as { components: { custom_id: string; options: { value: string }[] }[] }
    ).components[0];
    expect(menu?.custom_id).toBe(`submissions:resubmit:${t.users.viewer.id}`);
    expect(menu?.options.map((o) => o.value)).toEqual([String(played)]);
  });

  it('shows the score of a rated song; one played but never rated just says played', async () => {
    const rated = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    const unrated = await seed(t.users.viewer, { tier: 'skip5', skipAmount: 5 });
    await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
    await rateSong(database.db, t.guildId, {
      reviewerId: t.users.reviewer.id,
      scoreTenths: 85,
      verdict: null,
      correcting: false,
    });
    await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
    const lines = String((await answer('my-submissions')).content).split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^id ${rated} .* · played \\d{4}-\\d\\d-\\d\\d · rated 8\\.5/10$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^id ${unrated} .* · played \\d{4}-\\d\\d-\\d\\d$`)),
    );
  });

  it('queues a played song again when its owner picks it', async () => {
    // Submitted an hour ago: outside the submission cooldown.
    const played = await seed(t.users.viewer, {
      tier: 'played',
      submittedAt: new Date(Date.now() - 3_600_000),
    });
    const handle = command('my-submissions');
    await handle.reply();
    const pick = await t.discord
      .selectMenu({
        channelId: t.channels.general,
        user: t.users.viewer,
        customId: `submissions:resubmit:${t.users.viewer.id}`,
        message: handle.originalMessage()!,
        values: [String(played)],
      })
      .reply();
    expect(pick.body.data.content).toMatch(/Queued \*\*Artist – Song \d+\*\* in Free/);
    const { entries } = await listQueue(database.db, t.guildId, { tiers: OPEN_TIERS });
    expect(entries).toMatchObject([{ resubmittedFrom: played, submitterId: t.users.viewer.id }]);
  });

  it("refuses another member's pick on the menu, and queues nothing", async () => {
    const played = await seed(t.users.viewer, { tier: 'played' });
    const handle = command('my-submissions');
    await handle.reply();
    const forged = await t.discord
      .selectMenu({
        channelId: t.channels.general,
        user: t.users.other,
        customId: `submissions:resubmit:${t.users.viewer.id}`,
        message: handle.originalMessage()!,
        values: [String(played)],
      })
      .reply();
    expect(forged.body.data.content).toMatch(/belongs to someone else/);
    expect((await listQueue(database.db, t.guildId, { tiers: OPEN_TIERS })).total).toBe(0);
  });

  it('without songs, says how to submit one', async () => {
    expect((await answer('my-submissions')).content).toMatch(/haven't submitted a song yet.*\/submit/);
  });
});

describe('/notify', () => {
  it("turns the you're-next DM on and the review mention off, keeping the other setting", async () => {
    expect((await answer('notify', { next: 'on' })).content).toMatch(/^I'll DM you .*, I'll mention you/);
    expect(await getPreferences(database.db, t.guildId, t.users.viewer.id)).toEqual({
      notifyWhenNext: true,
      mentionWhenReviewed: true,
      notifyWhenRated: true,
    });
    expect((await answer('notify', { mention: 'off' })).content).toMatch(
      /^I'll DM you .*, I won't mention you/,
    );
    expect(await getPreferences(database.db, t.guildId, t.users.viewer.id)).toEqual({
      notifyWhenNext: true,
      mentionWhenReviewed: false,
      notifyWhenRated: true,
    });
  });

  it('turns the DM with the score off, keeping the other settings', async () => {
    expect((await answer('notify', { rated: 'off' })).content).toMatch(
      /^I won't DM you .*, I'll mention you .*, and I won't DM you when your song is rated/,
    );
    expect(await getPreferences(database.db, t.guildId, t.users.viewer.id)).toEqual({
      notifyWhenNext: false,
      mentionWhenReviewed: true,
      notifyWhenRated: false,
    });
  });

  it('without options shows the defaults: no next-in-line DM, a mention, a DM with the score', async () => {
    expect((await answer('notify')).content).toMatch(
      /^I won't DM you .*, I'll mention you .*, and I'll DM you the score when your song is rated/,
    );
  });
});
