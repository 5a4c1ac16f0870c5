import { ButtonStyle, ComponentType, InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { openTestDatabase, type TestDatabase } from '../support/db/test-database.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { MP3_BYTES, PNG_BYTES, WAV_BYTES } from '../support/audio-samples.js';

installUnhandledRejectionGuard();

let database: TestDatabase;
let t: TestBot;

beforeAll(async () => {
  database = await openTestDatabase('postgres');
});
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  await database.reset();
  t = await startTestBot({ database });
});
afterEach(async () => {
  const unknown = [...t.discord.unknownRoutes];
  await t.close();
  expect(unknown).toEqual([]);
});

const queued = () => listQueue(database.db, t.guildId, { tiers: OPEN_TIERS, limit: 50 });

function submit(options: Record<string, unknown>, user = t.users.viewer, channelId = t.channels.submissions) {
  return t.discord.slashCommand({ channelId, user, name: 'submit', options: options as never });
}

/** The bot's final ephemeral answer: a direct reply, or the edit after a deferral. */
async function answer(handle: ReturnType<typeof submit>): Promise<{ content: string; ephemeral: boolean }> {
  const first = await handle.reply();
  if (first.body.type === InteractionResponseType.DeferredChannelMessageWithSource) {
    const edit = await handle.editReply();
    return {
      content: String(edit.body.content),
      ephemeral: (Number(first.body.data.flags) & MessageFlags.Ephemeral) !== 0,
    };
  }
  return {
    content: String(first.body.data.content),
    ephemeral: (Number(first.body.data.flags) & MessageFlags.Ephemeral) !== 0,
  };
}

describe('/submit', () => {
  it('queues a link in Free and tells the viewer their place, privately and without pinging', async () => {
    const handle = submit({
      artist: 'Nova',
      title: 'Night Drive',
      link: 'https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=x',
    });
    const reply = await answer(handle);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/Queued \*\*Nova – Night Drive\*\* in Free: you're #1 in line/);
    expect((await handle.editReply()).body.allowed_mentions).toEqual({ parse: [] });
    const { entries } = await queued();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      submitterId: t.users.viewer.id,
      link: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      platform: 'spotify',
      tier: 'free',
      source: 'command',
    });
  });

  it.each([
    ['an Apple Music link', 'https://music.apple.com/us/album/x/123?i=456', /Apple Music/],
    ['an unsupported site', 'https://example.com/song.mp3', /Spotify, SoundCloud, YouTube, Deezer or Ditto/],
    [
      'a look-alike host',
      'https://open.spotify.com.evil.example/track/1',
      /Spotify, SoundCloud, YouTube, Deezer or Ditto/,
    ],
    ['a javascript: URL', 'javascript:alert(1)', /link/i],
  ])('refuses %s with the reason and queues nothing', async (_name, link, reason) => {
    const reply = await answer(submit({ artist: 'A', title: 'B', link }));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect((await queued()).total).toBe(0);
  });

  it('refuses outside the submission channel and says where to go', async () => {
    const reply = await answer(
      submit(
        { artist: 'A', title: 'B', link: 'https://youtu.be/dQw4w9WgXcQ' },
        t.users.viewer,
        t.channels.general,
      ),
    );
    expect(reply.content).toContain(`<#${t.channels.submissions}>`);
    expect((await queued()).total).toBe(0);
  });

  it('needs exactly one of link or file', async () => {
    expect((await answer(submit({ artist: 'A', title: 'B' }))).content).toMatch(/exactly one/);
    const both = await answer(
      submit({
        artist: 'A',
        title: 'B',
        link: 'https://youtu.be/dQw4w9WgXcQ',
        file: { filename: 'a.mp3', data: MP3_BYTES },
      }),
    );
    expect(both.content).toMatch(/exactly one/);
    expect((await queued()).total).toBe(0);
  });

  it('refuses a second open submission and a link already in the queue', async () => {
    await answer(submit({ artist: 'A', title: 'B', link: 'https://youtu.be/dQw4w9WgXcQ' }));
    const second = await answer(submit({ artist: 'A', title: 'C', link: 'https://youtu.be/aaaaaaaaaaa' }));
    expect(second.content).toMatch(/already have a song/i);
    const duplicate = await answer(
      submit({ artist: 'X', title: 'Y', link: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, t.users.other),
    );
    expect(duplicate.content).toMatch(/already in the queue/i);
    expect((await queued()).total).toBe(1);
  });

  it('stores an uploaded MP3 under a new name in the uploads folder', async () => {
    const reply = await answer(
      submit({ artist: 'A', title: 'B', file: { filename: '../../etc/passwd.mp3', data: MP3_BYTES } }),
    );
    expect(reply.content).toMatch(/Queued/);
    const [entry] = (await queued()).entries;
    expect(entry?.filePath).toMatch(/^[0-9a-f-]{36}\.mp3$/);
    expect(entry?.fileName).toBe('../../etc/passwd.mp3');
    const stored = await fs.readFile(path.join(t.dataDir, 'uploads', entry?.filePath ?? ''));
    expect(stored.equals(MP3_BYTES)).toBe(true);
  });

  it('accepts a WAV by its bytes', async () => {
    expect(
      (await answer(submit({ artist: 'A', title: 'B', file: { filename: 'take 3.wav', data: WAV_BYTES } })))
        .content,
    ).toMatch(/Queued/);
    expect((await queued()).entries[0]?.filePath).toMatch(/\.wav$/);
  });

  it.each([
    ['a PNG renamed .mp3', { filename: 'song.mp3', data: PNG_BYTES }, /isn't an MP3, M4A, WAV or FLAC/],
    ['an empty file', { filename: 'song.mp3', data: Buffer.alloc(0) }, /empty/],
    [
      'a file of 25 MB + 1 byte',
      { filename: 'song.wav', data: Buffer.alloc(25 * 1024 * 1024 + 1) },
      /limit is 25 MB/,
    ],
  ])('refuses %s and keeps nothing', async (_name, file, reason) => {
    const reply = await answer(submit({ artist: 'A', title: 'B', file }));
    expect(reply.content).toMatch(reason);
    expect((await queued()).total).toBe(0);
    const uploads = await fs.readdir(path.join(t.dataDir, 'uploads')).catch(() => []);
    expect(uploads).toEqual([]);
  });

  it('escapes markdown and mentions in artist and title', async () => {
    const reply = await answer(
      submit({ artist: '@everyone', title: '**bold** <@&123>', link: 'https://youtu.be/dQw4w9WgXcQ' }),
    );
    expect(reply.content).not.toContain('@everyone');
    expect(reply.content).toContain('\\*\\*bold\\*\\*');
  });
});

describe('links pasted in the submission channel', () => {
  it('become a submission named from "Artist - Title", with a reaction and the position', async () => {
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'Nova - Night Drive https://soundcloud.com/nova/night-drive',
    });
    const reaction = await t.discord.waitForCall(
      (c) => c.method === 'PUT' && c.path.includes('/reactions/✅/@me'),
    );
    expect(reaction.path).toContain(`/channels/${t.channels.submissions}/messages/`);
    const reply = await t.discord.waitForCall(
      (c) => c.method === 'POST' && c.path === `/channels/${t.channels.submissions}/messages`,
    );
    expect(String((reply.body as { content: string }).content)).toMatch(/you're #1 in line/);
    expect((await queued()).entries[0]).toMatchObject({
      artist: 'Nova',
      title: 'Night Drive',
      source: 'message',
    });
  });

  it('takes artist and title from a SoundCloud link when the message has none', async () => {
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'https://soundcloud.com/dj-nova/midnight-drive',
    });
    await t.discord.waitForCall((c) => c.method === 'PUT' && c.path.includes('/reactions/'));
    expect((await queued()).entries[0]).toMatchObject({ artist: 'dj nova', title: 'midnight drive' });
  });

  it('answers an Apple Music link with the reason and queues nothing', async () => {
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'https://music.apple.com/us/album/x/1?i=2',
    });
    const reply = await t.discord.waitForCall(
      (c) => c.method === 'POST' && c.path === `/channels/${t.channels.submissions}/messages`,
    );
    expect(String((reply.body as { content: string }).content)).toMatch(/Apple Music/);
    expect((await queued()).total).toBe(0);
  });

  it('ignores links in other channels', async () => {
    t.discord.message({
      channelId: t.channels.general,
      author: t.users.viewer,
      content: 'https://youtu.be/dQw4w9WgXcQ',
    });
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.other,
      content: 'https://youtu.be/aaaaaaaaaaa',
    });
    await t.discord.waitForCall((c) => c.method === 'PUT' && c.path.includes('/reactions/'));
    expect((await queued()).entries.map((e) => e.submitterId)).toEqual([t.users.other.id]);
  });

  it('deletes chatter in the submission channel when hygiene is on', async () => {
    await updateGuildSettings(database.db, t.guildId, (s) => ({ ...s, channelHygiene: true }));
    const chatter = t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'hello all',
    });
    const deleted = await t.discord.waitForCall((c) => c.method === 'DELETE');
    expect(deleted.path).toBe(`/channels/${t.channels.submissions}/messages/${chatter.id}`);
  });
});

describe('submission portal', () => {
  it('is posted by an admin with three buttons, and its link form queues a song', async () => {
    const post = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.admin,
      name: 'admin',
      subcommand: 'portal',
    });
    expect((await post.reply()).body.data.content).toContain(`<#${t.channels.submissions}>`);
    const [portal] = t.discord.channelMessages(t.channels.submissions);
    const buttons = portal?.components?.[0];
    expect(buttons?.type).toBe(ComponentType.ActionRow);
    const labels = (buttons as { components: { label: string; style: ButtonStyle }[] }).components.map(
      (b) => b.label,
    );
    expect(labels).toEqual(['Submit a link', 'Submit a file', 'Submit again from history']);

    const click = t.discord.button({
      channelId: t.channels.submissions,
      user: t.users.viewer,
      customId: 'submissions:portal-link',
      message: portal!,
    });
    const clicked = await click.reply();
    expect(clicked.body.data.content).toBeUndefined();
    expect(clicked.body.type).toBe(InteractionResponseType.Modal);
    const form = t.discord.modalSubmit({
      channelId: t.channels.submissions,
      user: t.users.viewer,
      customId: 'submissions:modal-link',
      fields: { artist: 'Nova', title: 'Form Song', link: 'https://www.deezer.com/track/3135556', note: '' },
    });
    expect((await form.reply()).body.data.content).toMatch(/Queued \*\*Nova – Form Song\*\*/);
    expect((await queued()).entries[0]).toMatchObject({ source: 'portal', platform: 'deezer' });
  });

  it('is refused to a viewer without Manage Server', async () => {
    const post = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.viewer,
      name: 'admin',
      subcommand: 'portal',
    });
    const reply = await post.reply();
    expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
    expect(reply.body.data.content).toMatch(/Manage Server/);
    expect(t.discord.channelMessages(t.channels.submissions)).toEqual([]);
  });
});
