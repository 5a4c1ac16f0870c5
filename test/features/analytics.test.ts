import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { installUnhandledRejectionGuard, type OptionValue } from '../support/discord/index.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { pngSize } from '../analytics/png.js';
import { FORMULA_HANDLE, SESSION_END, seedSession } from '../analytics/session-fixture.js';
import { OTHER_GUILD } from '../support/db/fixtures.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);
let sessionId: number;

beforeEach(async () => {
  sessionId = await seedSession(database.db, t.guildId, OTHER_GUILD);
});

function metrics(subcommand: string, options: Record<string, OptionValue> = {}, user = t.users.admin) {
  return t.discord.slashCommand({
    channelId: t.channels.general,
    user,
    name: 'admin',
    subcommandGroup: 'metrics',
    subcommand,
    options,
  });
}

describe('/admin metrics session', () => {
  it('answers privately with the summary embed and the CSV, JSON and timeline chart files', async () => {
    const handle = metrics('session', { session: 'latest' });
    const first = await handle.reply();
    expect(first.body.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(Number(first.body.data.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);

    const edit = await handle.editReply();
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    const [embed] = edit.body.embeds ?? [];
    expect(embed?.title).toBe(`Live session #${sessionId} · @reviewstream`);
    const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields.Viewers).toMatch(/Peak 30 · average 19/);
    expect(fields.Gifts).toMatch(/10 gifts sent · 901 TikTok coins/);
    expect(fields.Songs).toBe('2 submitted · 2 reviewed');
    expect(fields['Earned by viewers']).toBe('682 points · 17 Luxury Coins: 12 for gifts · 5 for watch time');
    expect(fields['Top gifters']).toMatch(
      /^1\. @=HYPERLINK.* · 600 TikTok coins\n2\. @u3 · 300 TikTok coins\n3\. @alice · 1 TikTok coin$/,
    );
    expect(fields['Top watchers']).toMatch(
      /^1\. @alice · 40 minutes\n2\. @lurker · 25 minutes\n3\. @=HYPERLINK.* · 10 minutes$/,
    );

    const files = new Map(edit.files.map((f) => [f.name, f]));
    expect([...files.keys()].sort()).toEqual(
      [
        `session-${sessionId}-timeline.png`,
        `session-${sessionId}.csv`,
        `session-${sessionId}.json`,
        `session-${sessionId}-reviews.csv`,
      ].sort(),
    );
    const csv: Record<string, string>[] = parse(files.get(`session-${sessionId}.csv`)!.data, {
      columns: true,
    });
    expect(csv.map((r) => [r.handle, r.joins, r.watch_minutes])).toEqual([
      ['alice', '1', '40'],
      [`'${FORMULA_HANDLE}`, '1', '10'],
      ['u3', '1', '0'],
      ['lurker', '0', '25'],
    ]);
    const json = JSON.parse(files.get(`session-${sessionId}.json`)!.data.toString('utf8'));
    expect(json.summary.session.id).toBe(sessionId);
    expect(json.summary.coinsAwarded).toEqual({ total: 17, gifts: 12, watchTime: 5 });
    expect(pngSize(files.get(`session-${sessionId}-timeline.png`)!.data)).toEqual({
      width: 1200,
      height: 600,
    });
  });

  it('says plainly when the session does not exist', async () => {
    const handle = metrics('session', { session: '9999' });
    await handle.reply();
    const edit = await handle.editReply();
    expect(edit.body.content).toMatch(/no live session #9999/);
    expect(edit.files).toEqual([]);
  });

  it('refuses a session that is neither a number nor latest', async () => {
    const { body } = await metrics('session', { session: 'yesterday' }).reply();
    expect(body.data.content).toMatch(/session id .* or latest/);
  });

  it('is refused to members without Manage Server, and reveals nothing', async () => {
    const handle = metrics('session', { session: 'latest' }, t.users.viewer);
    const { body } = await handle.reply();
    expect(body.data.content).toMatch(/Manage Server/);
    expect(handle.allResponses().flatMap((c) => c.files)).toEqual([]);
  });
});

describe('/admin metrics sessions', () => {
  it('lists the sessions newest first with their headline figures', async () => {
    const { body } = await metrics('sessions').reply();
    expect(Number(body.data.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const [embed] = body.data.embeds ?? [];
    const description = String(embed?.description);
    expect(description.indexOf(`#${sessionId}`)).toBeLessThan(description.indexOf(`#${sessionId - 1}`));
    expect(description).toMatch(/peak 30 viewers · 30 likes · 901 TikTok coins gifted/);
    expect(embed?.footer?.text).toMatch(/Page 1\/1 · 2 sessions/);
  });

  it('pages by 10 with Previous and Next buttons, for admins only', async () => {
    // The two seeded sessions plus 10 later ones: 12 in all, and the seeded two on page 2.
    await database.db.execute(sql`
      INSERT INTO live_sessions (guild_id, tiktok_username, started_at, ended_at)
      SELECT ${t.guildId}, 'later' || g, ${SESSION_END}::timestamptz + g * interval '1 day',
             ${SESSION_END}::timestamptz + g * interval '1 day' + interval '1 hour'
      FROM generate_series(1, 10) g`);
    const handle = metrics('sessions');
    const first = (await handle.reply()).body.data;
    expect(first.embeds?.[0]?.footer?.text).toMatch(/^Page 1\/2 · 12 sessions/);
    const buttons = (first.components?.[0] as { components: { custom_id: string; disabled: boolean }[] })
      .components;
    expect(buttons.map((b) => [b.custom_id, b.disabled])).toEqual([
      ['metrics:sessions:page:0', true],
      ['metrics:sessions:page:2', false],
    ]);

    const message = handle.originalMessage()!;
    const click = (user: typeof t.users.admin) =>
      t.discord
        .button({ channelId: t.channels.general, user, customId: 'metrics:sessions:page:2', message })
        .reply();
    const second = (await click(t.users.admin)).body;
    expect(second.type).toBe(InteractionResponseType.UpdateMessage);
    expect(second.data.embeds?.[0]?.footer?.text).toMatch(/^Page 2\/2 · 12 sessions/);
    expect(String(second.data.embeds?.[0]?.description)).toMatch(/@reviewstream/);
    expect(String(second.data.embeds?.[0]?.description)).not.toMatch(/@later/);

    const refused = (await click(t.users.viewer)).body;
    expect(refused.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(refused.data.content).toMatch(/Manage Server/);
  });

  it('refuses a page past the last one', async () => {
    const { body } = await metrics('sessions', { page: 3 }).reply();
    expect(body.data.content).toMatch(/only 1 page/);
  });

  it('refuses a crafted page 0 with a clear message', async () => {
    const { body } = await metrics('sessions', { page: 0 }).reply();
    expect(body.data.content).toBe('Pages start at 1.');
  });
});
