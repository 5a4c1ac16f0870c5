import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import {
  InteractionResponseType,
  MessageFlags,
  type APIEmbed,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../src/domain/audio.js';
import { OPEN_TIERS, type Tier } from '../../src/domain/tiers.js';
import { listAudit } from '../../src/storage/audit-repo.js';
import { rowsOf } from '../../src/storage/connect.js';
import { getBalances } from '../../src/storage/balances-repo.js';
import { listActiveEmbeds } from '../../src/storage/embed-configs-repo.js';
import { getSubmission, listQueue } from '../../src/storage/submissions-repo.js';
import {
  installUnhandledRejectionGuard,
  type InteractionHandle,
  type OptionValue,
} from '../support/discord/index.js';
import { seedSubmission, setDiscordPoints } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import { until } from '../support/until.js';
import { FLAC_BYTES, M4A_BYTES, MP3_BYTES, PNG_BYTES, WAV_BYTES } from '../support/audio-samples.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

const YT = 'https://youtu.be/dQw4w9WgXcQ';
const SQL_FRAGMENT = "'); DROP TABLE submissions;--";

// What the bot sends.

interface Answer {
  content: string;
  ephemeral: boolean;
  allowedMentions: unknown;
  embeds: APIEmbed[];
}

/** The bot's final answer to an interaction: a direct reply, or the edit after a deferral. */
async function answer(handle: InteractionHandle): Promise<Answer> {
  const first = await handle.reply();
  const ephemeral = (Number(first.body.data.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  if (first.body.type === InteractionResponseType.DeferredChannelMessageWithSource) {
    const edit = await handle.editReply();
    return {
      content: String(edit.body.content ?? ''),
      ephemeral,
      allowedMentions: edit.body.allowed_mentions,
      embeds: (edit.body.embeds ?? []) as APIEmbed[],
    };
  }
  return {
    content: String(first.body.data.content ?? ''),
    ephemeral,
    allowedMentions: first.body.data.allowed_mentions,
    embeds: first.body.data.embeds ?? [],
  };
}

function command(
  name: string,
  options: Record<string, OptionValue> = {},
  user: APIUser = t.users.viewer,
  extra: { subcommandGroup?: string; subcommand?: string; channelId?: string } = {},
): InteractionHandle {
  const { channelId = t.channels.submissions, ...levels } = extra;
  return t.discord.slashCommand({ channelId, user, name, options, ...levels });
}

const submit = (options: Record<string, OptionValue>, user: APIUser = t.users.viewer) =>
  command('submit', options, user);

/** `/admin <group> <sub>` as the streamer. */
const admin = (group: string | undefined, sub: string, options: Record<string, OptionValue>) =>
  command('admin', options, t.users.admin, {
    ...(group ? { subcommandGroup: group } : {}),
    subcommand: sub,
    channelId: t.channels.general,
  });

// What the database holds.

const WATCHED_TABLES = ['submissions', 'skip_credits', 'user_points', 'audit_log'] as const;

async function snapshot(): Promise<{ rows: Record<string, number>; tables: string[]; uploads: string[] }> {
  const rows: Record<string, number> = {};
  for (const table of WATCHED_TABLES) {
    const [row] = await rowsOf<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`,
    );
    rows[table] = row?.n ?? -1;
  }
  const tables = (
    await rowsOf<{ tablename: string }>(
      database.db,
      sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    )
  ).map((r) => r.tablename);
  return { rows, tables, uploads: await uploads() };
}

/** Everything in DATA_DIR/uploads, temporary files included. */
async function uploads(): Promise<string[]> {
  return (await fs.readdir(path.join(t.dataDir, 'uploads')).catch(() => [])).sort();
}

const queued = () => listQueue(database.db, t.guildId, { tiers: OPEN_TIERS, limit: 50 });

const seed = (submitter: APIUser, options: { tier?: Tier; skipAmount?: number } = {}) =>
  seedSubmission(database.db, { guildId: t.guildId, submitter: submitter.id, ...options });

// What a reader of the rendered text would see.

/** `@everyone`, `@here`, or a user/role mention that Discord would render (and could ping). */
const RAW_MENTION = /@(everyone|here)|<@[!&]?\d+>/;
/** Markdown left unescaped: a code fence, a spoiler, a masked link. */
const LIVE_MARKDOWN = [/(?<!\\)```/, /(?<!\\)\|\|/, /(?<!\\)\[[^\]\n]*\]\(/];

function expectInert(text: string, allowedMention?: string): void {
  const withoutAllowed = allowedMention ? text.replaceAll(`<@${allowedMention}>`, '') : text;
  expect(withoutAllowed).not.toMatch(RAW_MENTION);
  for (const pattern of LIVE_MARKDOWN) expect(withoutAllowed).not.toMatch(pattern);
}

const messagePosts = (channelId: string) =>
  t.discord.callsTo('POST', new RegExp(`^/channels/${channelId}/messages$`)) as {
    body: { content?: string; allowed_mentions?: unknown; embeds?: APIEmbed[] };
  }[];

/** Pastes `content` in the submission channel and waits for the bot's reply to it. */
async function paste(content: string, author: APIUser = t.users.viewer) {
  const message = t.discord.message({ channelId: t.channels.submissions, author, content });
  const reply = await t.discord.waitForCall<{ content: string; allowed_mentions: unknown }>(
    (c) =>
      c.method === 'POST' &&
      c.path === `/channels/${t.channels.submissions}/messages` &&
      (c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id ===
        message.id,
  );
  return { message, reply: reply.body };
}

describe('hostile links are refused with the reason, and change nothing', () => {
  const hostile: [string, string, RegExp][] = [
    [
      'credentials in the URL',
      'https://user:pass@open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      /usable link/,
    ],
    ['a javascript: URL', 'javascript:alert(document.cookie)', /usable link/],
    ['a data: URL', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', /usable link/],
    [
      'a look-alike suffix host',
      'https://spotify.com.evil.example/track/4uLU6hMCjMI75M1A2tKUQC',
      /aren't accepted/,
    ],
    [
      'a look-alike hyphenated host',
      'https://evil-spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      /aren't accepted/,
    ],
    ['an IDN homograph (Cyrillic ѕ)', 'https://\u0455oundcloud.com/artist/track', /aren't accepted/],
    ['a punycode host', 'https://xn--oundcloud-8of.com/artist/track', /aren't accepted/],
    ['a punycode subdomain of an allowed domain', 'https://xn--80ak6aa92e.ditto.fm/song', /aren't accepted/],
    ['an unusual port', 'https://open.spotify.com:8443/track/4uLU6hMCjMI75M1A2tKUQC', /usable link/],
    ['an IP address', 'https://142.250.74.46/watch?v=dQw4w9WgXcQ', /aren't accepted/],
    ['an encoded dot making an empty label', 'https://%2editto.fm/release', /aren't accepted/],
    ['a full-width dot making an empty label', 'https://\uff0ewww.ditto.fm/release', /aren't accepted/],
  ];

  it.each(hostile)('/submit refuses %s privately', async (_name, link, reason) => {
    const before = await snapshot();
    const reply = await answer(submit({ artist: 'A', title: 'B', link }));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect(reply.allowedMentions).toEqual({ parse: [] });
    expect(await snapshot()).toEqual(before);
  });

  it.each(hostile)('the portal form refuses %s privately', async (_name, link, reason) => {
    const before = await snapshot();
    const reply = await answer(
      t.discord.modalSubmit({
        channelId: t.channels.submissions,
        user: t.users.viewer,
        customId: 'submissions:modal-link',
        fields: { artist: 'A', title: 'B', link, note: '' },
      }),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect(await snapshot()).toEqual(before);
  });

  it.each(hostile.filter(([, link]) => link.startsWith('https:')))(
    'a pasted message with %s gets the reason and a ❌',
    async (_name, link, reason) => {
      const before = await snapshot();
      const { message, reply } = await paste(`Artist - Title ${link}`);
      expect(reply.content).toMatch(reason);
      expect(reply.allowed_mentions).toEqual({ parse: [] });
      await t.discord.waitForCall(
        (c) => c.method === 'PUT' && c.path.includes(`/messages/${message.id}/reactions/❌/@me`),
      );
      expect(await snapshot()).toEqual(before);
    },
  );

  it('ignores javascript: and data: URLs pasted in the submission channel (they are not links)', async () => {
    const before = await snapshot();
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'A - B javascript:alert(1) data:text/html,<script>alert(1)</script>',
    });
    const { reply } = await paste(`Nova - Night Drive ${YT}`, t.users.other);
    expect(reply.content).toMatch(/Queued/);
    expect((await queued()).entries.map((e) => e.submitterId)).toEqual([t.users.other.id]);
    expect((await snapshot()).uploads).toEqual(before.uploads);
  });
});

describe('a pasted message with more than one link', () => {
  const id = (n: number) => `vid${String(n).padStart(8, '0')}`;
  const ONE_SONG = /^Post one song per message: .*nothing was queued/;

  /** Pastes `content`, expects the one-song refusal and a ❌, and that nothing changed. */
  async function expectOneSongRefusal(content: string) {
    const before = await snapshot();
    const { message, reply } = await paste(content);
    expect(reply.content).toMatch(ONE_SONG);
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    await t.discord.waitForCall(
      (c) => c.method === 'PUT' && c.path.includes(`/messages/${message.id}/reactions/❌/@me`),
    );
    expect(messagePosts(t.channels.submissions)).toHaveLength(1);
    expect(await snapshot()).toEqual(before);
  }

  it('of 2,000 characters full of links is refused with one answer and queues nothing', async () => {
    const links = Array.from({ length: 80 }, (_, n) => `https://youtu.be/${id(n)}`);
    const content = links.join(' ').slice(0, 2_000);
    expect(content.length).toBe(2_000);
    await expectOneSongRefusal(content);
  });

  it('of 2,000 characters of look-alike hosts is refused with one answer and queues nothing', async () => {
    const links = Array.from({ length: 80 }, (_, n) => `https://open.spotify.com.evil${n}.example/track/x`);
    await expectOneSongRefusal(links.join('\n').slice(0, 2_000));
  });

  it('with two supported songs is refused as a whole', async () => {
    await expectOneSongRefusal(`Nova - Night Drive ${YT} https://soundcloud.com/nova/night-drive`);
  });
});

/** Mentions Discord would render (and could ping), with fixed ids: the refusal never looks them up. */
const MENTIONS: [string, string][] = [
  ['@everyone', '@everyone'],
  ['@here', '@here'],
  ['a user mention', '<@300000000000000009>'],
  ['a nickname mention', '<@!300000000000000009>'],
  ['a role mention', '<@&400000000000000009>'],
  ['a channel mention', '<#500000000000000009>'],
  ['a slash-command mention', '</submit:600000000000000009>'],
];
const NO_MENTIONS_IN_NAMES = /^Artist and title can't contain mentions .*write names as plain text/;

/** The portal's link form, filled in by the viewer. */
const portalForm = (fields: { artist?: string; title?: string; note?: string }) =>
  t.discord.modalSubmit({
    channelId: t.channels.submissions,
    user: t.users.viewer,
    customId: 'submissions:modal-link',
    fields: { artist: 'Nova', title: 'Night Drive', link: YT, note: '', ...fields },
  });

/** A refusal: private, pinging no one, saying `reason`, with the database and uploads unchanged. */
async function expectRefused(handle: InteractionHandle, reason: RegExp) {
  const before = await snapshot();
  const reply = await answer(handle);
  expect(reply.ephemeral).toBe(true);
  expect(reply.content).toMatch(reason);
  expect(reply.allowedMentions).toEqual({ parse: [] });
  expect(await snapshot()).toEqual(before);
}

/** A pasted message refused with `reason` and a ❌, changing nothing. */
async function expectPasteRefused(content: string, reason: RegExp) {
  const before = await snapshot();
  const { message, reply } = await paste(content);
  expect(reply.content).toMatch(reason);
  expect(reply.allowed_mentions).toEqual({ parse: [] });
  await t.discord.waitForCall(
    (c) => c.method === 'PUT' && c.path.includes(`/messages/${message.id}/reactions/❌/@me`),
  );
  expect(await snapshot()).toEqual(before);
}

describe('mentions in artist, title or note are refused, changing nothing', () => {
  it.each(MENTIONS)('/submit refuses %s in the artist', async (_name, mention) => {
    await expectRefused(submit({ artist: mention, title: 'Night Drive', link: YT }), NO_MENTIONS_IN_NAMES);
  });

  it.each(MENTIONS)('/submit refuses %s in the title', async (_name, mention) => {
    await expectRefused(
      submit({ artist: 'Nova', title: `Night ${mention} Drive`, link: YT }),
      NO_MENTIONS_IN_NAMES,
    );
  });

  it.each(MENTIONS)(
    '/submit refuses %s in the title of a file upload, keeping no file',
    async (_n, mention) => {
      await expectRefused(
        submit({ artist: 'Nova', title: mention, file: { filename: 'song.mp3', data: MP3_BYTES } }),
        NO_MENTIONS_IN_NAMES,
      );
    },
  );

  it.each(MENTIONS)('the portal form refuses %s in the artist', async (_name, mention) => {
    await expectRefused(portalForm({ artist: mention }), NO_MENTIONS_IN_NAMES);
  });

  it.each(MENTIONS)('the portal form refuses %s in the note', async (_name, mention) => {
    await expectRefused(
      portalForm({ note: `thanks ${mention}!` }),
      /^The note can't contain mentions .*plain text/,
    );
  });

  it.each(MENTIONS)('a pasted "Artist - Title" with %s is refused with a ❌', async (_name, mention) => {
    await expectPasteRefused(`Nova - ${mention} ${YT}`, NO_MENTIONS_IN_NAMES);
  });
});

describe('markdown that would break an embed is refused, changing nothing', () => {
  const broken: [string, string, RegExp][] = [
    ['a code fence', '```js alert(1) ```', /can't contain code blocks \(```\); remove the backticks/],
    [
      'a masked link',
      '[free nitro](https://evil.example/claim)',
      /can't contain links written like \[text\]\(url\)/,
    ],
    [
      'a masked link at the 100-character limit',
      `[x](https://evil.example/${'a'.repeat(72)})||`,
      /can't contain links written like/,
    ],
    ['a heading', '# FREE NITRO', /can't start with `#`, `>`, `-` or `\*` and a space/],
    ['a block quote', '>>> quoted', /Discord would turn it into a heading, quote or list/],
  ];
  const unprintable: [string, string][] = [
    ['a newline', 'Night\nDrive'],
    ['a NUL byte', 'Night\u0000Drive'],
    ['an ANSI escape', '\u001b[31mNight Drive'],
    ['a right-to-left override', 'Night\u202eevirD'],
  ];
  const ONE_LINE = /^The title can't contain line breaks or control characters; type it on one line\.$/;

  it.each(broken)('/submit refuses %s in the title with the reason', async (_name, title, reason) => {
    await expectRefused(submit({ artist: 'Nova', title, link: YT }), reason);
  });

  it.each(broken)('the portal form refuses %s in the title with the reason', async (_name, title, reason) => {
    await expectRefused(portalForm({ title }), reason);
  });

  it.each(broken.filter(([, title]) => !title.includes('https:')))(
    'a pasted "Artist - Title" with %s is refused with a ❌',
    async (_name, title, reason) => {
      await expectPasteRefused(`Nova - ${title} ${YT}`, reason);
    },
  );

  it('a pasted masked link around the title is refused with a ❌', async () => {
    await expectPasteRefused(`Nova - [Night Drive](${YT})`, /can't contain links written like/);
  });

  it.each(unprintable)('/submit refuses %s in the title', async (_name, title) => {
    await expectRefused(submit({ artist: 'Nova', title, link: YT }), ONE_LINE);
  });

  it.each(unprintable)('the portal form refuses %s in the title', async (_name, title) => {
    await expectRefused(portalForm({ title }), ONE_LINE);
  });

  it('the portal form refuses a code fence in the note', async () => {
    await expectRefused(portalForm({ note: '```js alert(1) ```' }), /^The note can't contain code blocks/);
  });

  it('takes a title of exactly 100 characters and refuses 101, changing nothing', async () => {
    const hundred = '|'.repeat(100);
    expect((await answer(submit({ artist: 'A', title: hundred, link: YT }))).content).toMatch(/Queued/);
    expect((await queued()).entries[0]?.title).toBe(hundred);
    const before = await snapshot();
    const refused = await answer(submit({ artist: 'A', title: '|'.repeat(101), link: YT }, t.users.other));
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/title is too long \(101 characters; at most 100\)/);
    expect(await snapshot()).toEqual(before);
  });

  it('the portal form refuses a note of 501 characters, changing nothing', async () => {
    await expectRefused(
      portalForm({ note: 'n'.repeat(501) }),
      /note is too long \(501 characters; at most 500\)/,
    );
  });
});

describe('names real artists use are accepted, and their Markdown characters stay escaped', () => {
  it.each([
    ['a leading asterisk', '*NSYNC', 'Bye Bye Bye', '\\*NSYNC'],
    ['underscores', 'Song_Name', 'Under_Score', 'Song\\_Name'],
    ['tildes, pipes and hashes', '~Nova~ | #1', 'Spoiler ||drop||', '\\~Nova\\~ \\| #1'],
  ])('/submit takes %s verbatim and shows it escaped', async (_name, artist, title, shown) => {
    const reply = await answer(submit({ artist, title, link: YT }));
    expect(reply.content).toMatch(/Queued/);
    expect(reply.content).toContain(shown);
    expectInert(reply.content);
    expect((await queued()).entries[0]).toMatchObject({ artist, title });
  });
});

/**
 * Rows written before these refusals existed (or by a future entry path) must still render inert:
 * they are seeded straight into the database, since every entry path now refuses them.
 */
async function seedNamed(submitter: APIUser, artist: string, title: string, note: string | null = null) {
  const id = await seed(submitter);
  await database.db.execute(
    sql`UPDATE submissions SET artist = ${artist}, title = ${title}, note = ${note} WHERE id = ${id}`,
  );
  return id;
}

describe('stored mentions never ping, in any view', () => {
  const sneaky = () => ({
    artist: '@everyone',
    title: `@here <@&${t.reviewerRoleId}> <@${t.users.other.id}> <@!${t.users.admin.id}>`,
  });
  const seedSneaky = () =>
    seedNamed(t.users.viewer, sneaky().artist, sneaky().title, `<@&${t.reviewerRoleId}>`);

  it('in /queue, /my-submissions and /position', async () => {
    await seedSneaky();
    for (const name of ['queue', 'my-submissions', 'position']) {
      const reply = await answer(command(name, {}, t.users.viewer, { channelId: t.channels.general }));
      expect(reply.ephemeral).toBe(true);
      expect(reply.allowedMentions).toEqual({ parse: [] });
      expectInert(reply.content);
      // The queue lists each submitter as a mention inside the embed: shown, never a ping.
      for (const embed of reply.embeds) expectInert(embed.description ?? '', t.users.viewer.id);
    }
  });

  it('in the Now reviewing post, which may ping the submitter alone', async () => {
    await seedSneaky();
    const next = await answer(command('next', {}, t.users.reviewer, { channelId: t.channels.reviewers }));
    expect(next.allowedMentions).toEqual({ parse: [] });
    expectInert(next.content);
    const [post] = messagePosts(t.channels.reviewers);
    expect(post?.body.allowed_mentions).toEqual({ users: [t.users.viewer.id] });
    expect(post?.body.content).toContain(`<@${t.users.viewer.id}>`);
    expect(post?.body.content).toContain('Note:');
    expectInert(post?.body.content ?? '', t.users.viewer.id);
  });

  it('in a self-updating live queue embed', async () => {
    await seedSneaky();
    await answer(admin('embed', 'create', { kind: 'live_queue', channel: t.channels.general }));
    const [post] = messagePosts(t.channels.general);
    expect(post?.body.allowed_mentions).toEqual({ parse: [] });
    expectInert(post?.body.embeds?.[0]?.description ?? '', t.users.viewer.id);
  });
});

describe('stored markdown stays text in every view', () => {
  const titles: [string, string][] = [
    ['a code fence', '```js alert(1) ```'],
    ['a spoiler', '||the drop at 1:00||'],
    ['a masked link', '[free nitro](https://evil.example/claim)'],
    ['markdown at the 100-character limit', `[x](https://evil.example/${'a'.repeat(72)})||`],
  ];

  it.each(titles)('%s is rendered inert in the queue and Now reviewing', async (_name, title) => {
    await seedNamed(t.users.viewer, '**Nova**', title);

    const list = await answer(command('queue', {}, t.users.other, { channelId: t.channels.general }));
    expectInert(list.embeds[0]?.description ?? '', t.users.viewer.id);

    await answer(command('next', {}, t.users.reviewer, { channelId: t.channels.reviewers }));
    const [post] = messagePosts(t.channels.reviewers);
    expectInert(post?.body.content ?? '', t.users.viewer.id);
    expect(post?.body.content).toContain('\\*\\*Nova\\*\\*');
  });

  it('keeps a full page of worst-case titles within the embed limits', async () => {
    const worst = '*'.repeat(100);
    const others = Array.from({ length: 10 }, (_, n) => `30000000000000${String(n).padStart(4, '0')}`);
    for (const [n, user] of others.entries()) {
      await database.db
        .execute(sql`INSERT INTO submissions (guild_id, submitter_id, artist, title, link, platform)
        VALUES (${t.guildId}, ${user}, ${worst}, ${worst}, ${`https://youtu.be/${'a'.repeat(10)}${n}`}, 'youtube')`);
    }
    const list = await answer(command('queue', {}, t.users.viewer, { channelId: t.channels.general }));
    const description = list.embeds[0]?.description ?? '';
    expect(description.length).toBeGreaterThan(1_000);
    expect(description.length).toBeLessThanOrEqual(4_096);
    // Every asterisk of every title stays escaped, so no bold runs on into the next entry.
    expect(description.replace('**Free**', '')).not.toMatch(/(?<!\\)\*/);
    expect(description.match(/\\\*/g)).toHaveLength(10 * (59 + 59));
  });
});

/**
 * Deliberately accepted: every query is parameterised, and refusing quote-and-dash text would refuse
 * real titles ("Don't Stop -- Remix"). These tests prove such text is stored verbatim and harms nothing.
 */
describe('SQL fragments in text fields are accepted on purpose and stored as plain text', () => {
  async function expectTablesIntact(before: { tables: string[] }) {
    expect((await snapshot()).tables).toEqual(before.tables);
  }

  it('in artist, title, link query and note are accepted and stored verbatim, not refused', async () => {
    const before = await snapshot();
    const link = `https://ditto.fm/song?ref=${encodeURIComponent(SQL_FRAGMENT)}`;
    const reply = await answer(
      t.discord.modalSubmit({
        channelId: t.channels.submissions,
        user: t.users.viewer,
        customId: 'submissions:modal-link',
        fields: { artist: SQL_FRAGMENT, title: SQL_FRAGMENT, link, note: SQL_FRAGMENT },
      }),
    );
    expect(reply.content).toMatch(/Queued/);
    const [entry] = (await queued()).entries;
    expect(entry).toMatchObject({ artist: SQL_FRAGMENT, title: SQL_FRAGMENT, note: SQL_FRAGMENT });
    expect(entry?.link).toContain('DROP');
    await expectTablesIntact(before);
  });

  it('in a pasted "Artist - Title" message are accepted and stored verbatim, not refused', async () => {
    const before = await snapshot();
    const { reply } = await paste(`${SQL_FRAGMENT} - ${SQL_FRAGMENT} ${YT}`);
    expect(reply.content).toMatch(/Queued/);
    expect((await queued()).entries[0]).toMatchObject({ artist: SQL_FRAGMENT, title: SQL_FRAGMENT });
    await expectTablesIntact(before);
  });

  it('in reviewer reasons are accepted and stored verbatim, not refused', async () => {
    const removed = await seed(t.users.viewer, { tier: 'skip10', skipAmount: 10 });
    const pending = await seed(t.users.other, { tier: 'pending', skipAmount: 10 });
    const before = await snapshot();
    const reviewer = (name: string, options: Record<string, OptionValue>) =>
      answer(command(name, options, t.users.reviewer, { channelId: t.channels.reviewers }));
    expect((await reviewer('remove', { id: removed, reason: SQL_FRAGMENT })).content).toMatch(/Removed/);
    expect((await reviewer('reject-skip', { id: pending, reason: SQL_FRAGMENT })).content).toMatch(
      /Rejected/,
    );
    expect((await getSubmission(database.db, t.guildId, removed)).removeReason).toBe(SQL_FRAGMENT);
    expect((await listAudit(database.db, t.guildId)).map((e) => e.reason)).toEqual([
      SQL_FRAGMENT,
      SQL_FRAGMENT,
    ]);
    await expectTablesIntact(before);
  });

  it("in admin reasons are stored verbatim; as setting keys, values or TikTok handles they fail those fields' own rules", async () => {
    const before = await snapshot();
    const gave = await answer(
      admin('coins', 'give', { user: t.users.viewer.id, amount: 5, reason: SQL_FRAGMENT }),
    );
    expect(gave.content).toMatch(/Gave 5 Luxury Coins/);
    expect((await listAudit(database.db, t.guildId))[0]?.reason).toBe(SQL_FRAGMENT);
    expect((await answer(admin('config', 'set', { key: SQL_FRAGMENT, value: '1' }))).content).toMatch(
      /no such setting/,
    );
    expect(
      (await answer(admin('config', 'set', { key: 'buySkip.price', value: SQL_FRAGMENT }))).content,
    ).toMatch(/must be a whole number/);
    expect(
      (await answer(admin(undefined, 'force-link', { user: t.users.viewer.id, handle: SQL_FRAGMENT })))
        .content,
    ).toMatch(/not a TikTok username/);
    const link = await answer(
      command('link', { handle: SQL_FRAGMENT }, t.users.viewer, { subcommand: 'tiktok' }),
    );
    expect(link.ephemeral).toBe(true);
    expect(link.content).toMatch(/not a TikTok username/);
    await expectTablesIntact(before);
    expect((await snapshot()).rows.audit_log).toBe(1);
  });
});

describe('uploaded files: the bytes decide, and only <uuid>.<ext> is written', () => {
  const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(mp3|m4a|wav|flac)$/;

  it.each([
    ['an empty file', { filename: 'song.mp3', data: Buffer.alloc(0) }, /empty/],
    ['a PNG named .mp3', { filename: 'song.mp3', data: PNG_BYTES }, /"song.mp3" isn't an MP3/],
    ['a PNG named like a WAV renamed .mp3', { filename: 'take.wav.mp3', data: PNG_BYTES }, /isn't an MP3/],
    [
      'random bytes',
      { filename: 'song.flac', data: Buffer.from('not audio at all, just text') },
      /isn't an MP3/,
    ],
    [
      'a file of 25 MB + 1 byte',
      { filename: 'song.wav', data: Buffer.alloc(MAX_UPLOAD_BYTES + 1) },
      /^That file is larger than the 25 MB limit\. Export a smaller MP3 or send a link instead\.$/,
    ],
    [
      'an MP3 cut short after 100 bytes (file-type still calls it MP3)',
      { filename: 'cut.mp3', data: MP3_BYTES.subarray(0, 100) },
      /^"cut\.mp3" looks cut short or damaged\. Export it again and upload the whole file, or send a link instead\.$/,
    ],
    [
      'a WAV cut short of its declared size',
      { filename: 'cut.wav', data: WAV_BYTES.subarray(0, WAV_BYTES.length - 1) },
      /"cut\.wav" looks cut short/,
    ],
    [
      'a FLAC cut inside its stream information',
      { filename: 'cut.flac', data: FLAC_BYTES.subarray(0, 20) },
      /"cut\.flac" looks cut short/,
    ],
    [
      'an M4A cut inside its audio data',
      { filename: 'cut.m4a', data: M4A_BYTES.subarray(0, M4A_BYTES.length - 10) },
      /"cut\.m4a" looks cut short/,
    ],
  ])('refuses %s privately and keeps nothing', async (_name, file, reason) => {
    const before = await snapshot();
    const reply = await answer(submit({ artist: 'A', title: 'B', file }));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect(await snapshot()).toEqual(before);
  });

  it('stores a real WAV named .mp3 as .wav: the bytes decide the type, the name never does', async () => {
    const reply = await answer(
      submit({ artist: 'A', title: 'B', file: { filename: 'take.mp3', data: WAV_BYTES } }),
    );
    expect(reply.content).toMatch(/Queued/);
    const [entry] = (await queued()).entries;
    expect(entry?.filePath).toMatch(STORED_NAME);
    expect(entry?.filePath).toMatch(/\.wav$/);
    expect(entry?.fileName).toBe('take.mp3');
    expect(await fs.readFile(path.join(t.dataDir, 'uploads', entry!.filePath!))).toEqual(WAV_BYTES);
  });

  it('refuses a file cut short before its first frame header is complete', async () => {
    const before = await snapshot();
    const reply = await answer(
      submit({ artist: 'A', title: 'B', file: { filename: 'cut.mp3', data: MP3_BYTES.subarray(0, 1) } }),
    );
    expect(reply.content).toMatch(/"cut.mp3" isn't an MP3/);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a relative path', '../../etc/passwd.mp3'],
    ['an absolute path', '/etc/cron.d/evil.mp3'],
    ['a Windows path', 'C:\\x\\y.mp3'],
    ['a NUL byte', 'song\u0000.php.mp3'],
    ['control characters', 'so\u0007ng\u001b[31m\r\n.mp3'],
    ['a bidi override', 'song\u202egpm.exe'],
    ['only a dot and the extension', '.mp3'],
    ['a leading dot', '.hidden song.mp3'],
  ])('refuses a file named with %s, asking to rename it, and keeps nothing', async (_name, filename) => {
    await expectRefused(
      submit({ artist: 'A', title: 'B', file: { filename, data: MP3_BYTES } }),
      /^That file's name has slashes or hidden characters in it\. Rename the file to something like song\.mp3 and upload it again\.$/,
    );
    expect((await fs.readdir(t.dataDir)).filter((name) => name !== 'backups')).toEqual([]);
  });

  it('stores a plainly named file with Markdown in its name as <uuid>.mp3, and shows the name cleaned', async () => {
    const reply = await answer(
      submit({
        artist: 'A',
        title: 'B',
        file: { filename: 'Nova **Night** `Drive` <@1>.mp3', data: MP3_BYTES },
      }),
    );
    expect(reply.content).toMatch(/Queued/);
    const [entry] = (await queued()).entries;
    expect(entry?.filePath).toMatch(STORED_NAME);
    expect(await uploads()).toEqual([entry?.filePath]);
    // Nothing lands beside the uploads folder (the hourly backup job may write its own folder).
    expect((await fs.readdir(t.dataDir)).filter((name) => name !== 'backups')).toEqual(['uploads']);

    await answer(command('next', {}, t.users.reviewer, { channelId: t.channels.reviewers }));
    const [post] = t.discord.callsTo('POST', new RegExp(`^/channels/${t.channels.reviewers}/messages$`)) as {
      files: { name: string }[];
    }[];
    expect(post?.files.map((f) => f.name)).toHaveLength(1);
    expect(post?.files[0]?.name).toMatch(/^[\w\- ]+\.mp3$/);
  });
});

describe('numbers out of range are refused, never overflow', () => {
  describe('/skip amount', () => {
    it.each([
      [0, /smallest skip is 5/],
      [-5, /whole number/],
      [-(2 ** 31), /whole number/],
      [2 ** 31, /whole number/],
      [1_000_001, /whole number/],
      [2 ** 53, /whole number/],
      [2 ** 64, /whole number/],
    ])('refuses %d privately and leaves the song in Free', async (amount, reason) => {
      const id = await seed(t.users.viewer);
      const before = await snapshot();
      const reply = await answer(
        command('skip', { amount }, t.users.viewer, { channelId: t.channels.general }),
      );
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(reason);
      expect((await getSubmission(database.db, t.guildId, id)).tier).toBe('free');
      expect(await snapshot()).toEqual(before);
      expect(messagePosts(t.channels.reviewers)).toEqual([]);
    });

    it('takes the largest amount the command offers', async () => {
      const id = await seed(t.users.viewer);
      const reply = await answer(
        command('skip', { amount: 1_000_000 }, t.users.viewer, { channelId: t.channels.general }),
      );
      expect(reply.content).toMatch(/payment of 1,000,000, it moves up to 25\+ Skip/);
      expect((await getSubmission(database.db, t.guildId, id)).requestedSkipAmount).toBe(1_000_000);
    });
  });

  describe('/admin coins give', () => {
    it.each([2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e300, -(2 ** 53)])(
      'refuses %d privately and changes nothing',
      async (amount) => {
        const before = await snapshot();
        const reply = await answer(admin('coins', 'give', { user: t.users.viewer.id, amount }));
        expect(reply.ephemeral).toBe(true);
        expect(reply.content).toMatch(/whole number from 1 to 1,000,000,000; nothing changed/);
        expect(await snapshot()).toEqual(before);
      },
    );

    it('refuses to lift a balance past 2^53 − 1 with a clear answer, changing nothing', async () => {
      await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, Number.MAX_SAFE_INTEGER - 10);
      const before = await snapshot();
      const reply = await answer(admin('coins', 'give', { user: t.users.viewer.id, amount: 11 }));
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(/nothing changed/);
      expect(reply.content).not.toMatch(/something went wrong/);
      expect((await getBalances(database.db, t.guildId, t.users.viewer.id)).discordCoins).toBe(
        Number.MAX_SAFE_INTEGER - 10,
      );
      expect(await snapshot()).toEqual(before);
    });

    it('lifts a balance exactly to 2^53 − 1', async () => {
      await setDiscordPoints(database.db, t.guildId, t.users.viewer.id, 0, Number.MAX_SAFE_INTEGER - 10);
      const reply = await answer(admin('coins', 'give', { user: t.users.viewer.id, amount: 10 }));
      expect(reply.content).toContain('9,007,199,254,740,991 Luxury Coins');
      expect((await getBalances(database.db, t.guildId, t.users.viewer.id)).discordCoins).toBe(
        Number.MAX_SAFE_INTEGER,
      );
    });
  });

  describe('page numbers', () => {
    it.each([0, -1, 2, 2 ** 31, 2 ** 53, -(2 ** 53)])('/queue page %d is refused privately', async (page) => {
      await seed(t.users.viewer);
      const reply = await answer(
        command('queue', { page }, t.users.viewer, { channelId: t.channels.general }),
      );
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(/only 1 page of the queue; use a page from 1 to 1/);
    });

    async function queueMessage(): Promise<APIMessage> {
      for (let n = 0; n < 11; n += 1) await seed(n % 2 ? t.users.viewer : t.users.other);
      const handle = command('queue', {}, t.users.viewer, { channelId: t.channels.general });
      await handle.reply();
      const message = handle.originalMessage();
      if (!message) throw new Error('/queue left no message');
      return message;
    }

    it.each([
      ['-5', 'Page 1/2'],
      ['0', 'Page 1/2'],
      [String(2 ** 31), 'Page 2/2'],
      [String(2 ** 52), 'Page 2/2'],
    ])('a forged queue:page:%s button shows the nearest page', async (page, footer) => {
      const message = await queueMessage();
      const click = t.discord.button({
        channelId: t.channels.general,
        user: t.users.viewer,
        customId: `queue:page:${page}`,
        message,
      });
      const reply = await click.reply();
      expect(reply.body.type).toBe(InteractionResponseType.UpdateMessage);
      expect(reply.body.data.embeds?.[0]?.footer?.text).toContain(footer);
    });

    it.each(['abc', '1e400', 'Infinity', '', '99999999999999999999', String(2 ** 53)])(
      'a forged queue:page:%s button is refused privately',
      async (page) => {
        const message = await queueMessage();
        const reply = await answer(
          t.discord.button({
            channelId: t.channels.general,
            user: t.users.viewer,
            customId: `queue:page:${page}`,
            message,
          }),
        );
        expect(reply.ephemeral).toBe(true);
        expect(reply.content).toMatch(/no longer works/);
      },
    );

    it('a forged embed page button is refused on another message and clamped on its own', async () => {
      for (let n = 0; n < 12; n += 1) await seed(n % 2 ? t.users.viewer : t.users.other);
      await answer(admin('embed', 'create', { kind: 'live_queue', channel: t.channels.general }));
      const [config] = await listActiveEmbeds(database.db, t.guildId);
      const embedMessage = t.discord
        .channelMessages(t.channels.general)
        .find((m) => m.id === config?.messageId);
      const elsewhere = t.discord.message({
        channelId: t.channels.general,
        author: t.users.viewer,
        content: 'hi',
      });
      const click = (customId: string, message: APIMessage) =>
        t.discord.button({ channelId: t.channels.general, user: t.users.viewer, customId, message });

      const forged = await answer(click(`embeds:page:${config?.id}:1`, elsewhere));
      expect(forged.ephemeral).toBe(true);
      expect(forged.content).toMatch(/no longer updates/);
      const mangled = await answer(click(`embeds:page:${config?.id}:x`, embedMessage!));
      expect(mangled.content).toMatch(/no longer updates/);
      const unknown = await answer(click(`embeds:page:${2 ** 53}:1`, embedMessage!));
      expect(unknown.content).toMatch(/no longer updates/);

      const far = await click(`embeds:page:${config?.id}:${2 ** 31}`, embedMessage!).reply();
      expect(far.body.type).toBe(InteractionResponseType.UpdateMessage);
      expect(far.body.data.embeds?.[0]?.footer?.text).toContain('Page 2/2');
      // The page is stored after the message is updated, so later refreshes keep showing it.
      await until('the clamped page is stored', async () => {
        const [stored] = await listActiveEmbeds(database.db, t.guildId);
        return stored?.page === 1;
      });
    });
  });
});
