import { sql } from 'drizzle-orm';
import { MessageFlags, type APIEmbed, type APIUser } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { rateSong } from '../../src/storage/ratings-repo.js';
import { takeNextForReview } from '../../src/storage/review-repo.js';
import { installUnhandledRejectionGuard, type OptionValue } from '../support/discord/index.js';
import { seedSubmission } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

/** A song by `artist` from `submitter`, played and rated; `ratedAt` back-dates the rating. */
async function rated(
  artist: string,
  scoreTenths: number,
  options: { submitter?: APIUser; verdict?: string; ratedAt?: Date } = {},
): Promise<number> {
  const id = await seedSubmission(database.db, {
    guildId: t.guildId,
    submitter: (options.submitter ?? t.users.viewer).id,
  });
  await database.db.execute(sql`UPDATE submissions SET artist = ${artist} WHERE id = ${id}`);
  await takeNextForReview(database.db, t.guildId, t.users.reviewer.id);
  await rateSong(database.db, t.guildId, {
    reviewerId: t.users.reviewer.id,
    scoreTenths,
    verdict: options.verdict ?? null,
    correcting: false,
  });
  if (options.ratedAt) {
    await database.db.execute(
      sql`UPDATE reviews SET created_at = ${options.ratedAt.toISOString()} WHERE submission_id = ${id}`,
    );
  }
  return id;
}

async function answer(name: string, options: Record<string, OptionValue> = {}) {
  const reply = await t.discord
    .slashCommand({ channelId: t.channels.general, user: t.users.viewer, name, options })
    .reply();
  expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
  expect(reply.body.data.allowed_mentions).toEqual({ parse: [] });
  return reply.body.data as { embeds: APIEmbed[]; components?: { components: { custom_id: string }[] }[] };
}
const lines = (embed: APIEmbed | undefined) => embed?.description?.split('\n') ?? [];
const buttons = (data: { components?: { components: { custom_id: string }[] }[] }) =>
  data.components?.[0]?.components.map((b) => b.custom_id);

describe('/history', () => {
  it('lists the reviews newest first: score, song, submitter, date, and the verdict as text', async () => {
    await rated('Older', 60, { ratedAt: new Date('2026-12-01T12:00:00Z') });
    await rated('**Loud**', 85, { submitter: t.users.other, verdict: '@everyone *wow*' });
    const [embed] = (await answer('history')).embeds;
    expect(lines(embed)).toEqual([
      'Reviews, newest first:',
      expect.stringMatching(
        new RegExp(
          `^\\*\\*8\\.5/10\\*\\* · \\\\\\*\\\\\\*Loud\\\\\\*\\\\\\* – Song \\d+ · <@${t.users.other.id}> · <t:\\d+:d>$`,
        ),
      ),
      '“@\u200beveryone \\*wow\\*”',
      expect.stringMatching(/^\*\*6\/10\*\* · Older – Song \d+ · /),
    ]);
    expect(embed?.footer?.text).toBe('Page 1/1 · 2 reviews');
  });

  it('pages ten at a time, and the page buttons keep the artist filter', async () => {
    for (let i = 0; i < 12; i++)
      await rated(`Nova ${i}`, 50, { ratedAt: new Date(Date.UTC(2026, 11, 1, i)) });
    await rated('Someone Else', 90);
    const command = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.viewer,
      name: 'history',
      options: { artist: 'nova' },
    });
    const first = (await command.reply()).body.data as Parameters<typeof buttons>[0] & { embeds: APIEmbed[] };
    expect(first.embeds[0]?.footer?.text).toBe('Page 1/2 · 12 reviews');
    expect(lines(first.embeds[0])).toHaveLength(11);
    expect(buttons(first)).toEqual(['review:history:0:a:nova', 'review:history:2:a:nova']);
    const message = command.originalMessage();
    if (!message) throw new Error('the /history answer was not stored');
    const second = await t.discord
      .button({
        channelId: t.channels.general,
        user: t.users.viewer,
        customId: 'review:history:2:a:nova',
        message,
      })
      .reply();
    const embed = (second.body.data as { embeds: APIEmbed[] }).embeds[0];
    expect(embed?.footer?.text).toBe('Page 2/2 · 12 reviews');
    expect(lines(embed).slice(1)).toEqual([
      expect.stringContaining('Nova 1 – '),
      expect.stringContaining('Nova 0 – '),
    ]);
  });

  it('filters by submitter; both filters at once are refused in plain words', async () => {
    await rated('Mine', 70, { submitter: t.users.viewer });
    await rated('Theirs', 80, { submitter: t.users.other });
    const [embed] = (await answer('history', { submitter: t.users.other.id })).embeds;
    expect(lines(embed).slice(1)).toEqual([expect.stringContaining('Theirs – ')]);
    const refused = await t.discord
      .slashCommand({
        channelId: t.channels.general,
        user: t.users.viewer,
        name: 'history',
        options: { artist: 'x', submitter: t.users.other.id },
      })
      .reply();
    expect(refused.body.data.content).toBe('Filter by artist or by submitter, one at a time.');
  });

  it('says so when there is nothing to list', async () => {
    expect((await answer('history', { artist: 'nobody' })).embeds[0]?.description).toBe(
      'No reviews of artists matching “nobody” yet.',
    );
  });
});

describe('/top', () => {
  it('lists the best rated of the latest live, the last 7 days and all time', async () => {
    const liveStart = new Date(Date.now() - 3600_000);
    await database.db.execute(
      sql`INSERT INTO live_sessions (guild_id, tiktok_username, started_at) VALUES (${t.guildId}, 'host', ${liveStart.toISOString()})`,
    );
    await rated('Classic', 100, { ratedAt: new Date(Date.now() - 30 * 24 * 3600_000) });
    await rated('Yesterday', 90, { ratedAt: new Date(Date.now() - 24 * 3600_000) });
    await rated('Tonight', 70);
    await rated('Tonight Best', 80);
    const fields = (await answer('top')).embeds[0]?.fields ?? [];
    const artists = (value: string | undefined) =>
      (value ?? '').split('\n').map((l) => /^\d+\. \*\*[\d.]+\/10\*\* · (.+?) – /.exec(l)?.[1]);
    expect(fields.map((f) => f.name)).toEqual(['This live', 'Last 7 days', 'All time']);
    expect(artists(fields[0]?.value)).toEqual(['Tonight Best', 'Tonight']);
    expect(artists(fields[1]?.value)).toEqual(['Yesterday', 'Tonight Best', 'Tonight']);
    expect(artists(fields[2]?.value)).toEqual(['Classic', 'Yesterday', 'Tonight Best', 'Tonight']);
  });

  it('says what is missing when nothing is rated and the server never went live', async () => {
    const fields = (await answer('top')).embeds[0]?.fields ?? [];
    expect(fields.map((f) => f.value)).toEqual([
      'No TikTok LIVE yet.',
      'Nothing rated in the last 7 days.',
      'Nothing rated yet.',
    ]);
  });
});
