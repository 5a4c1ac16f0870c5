import {
  ButtonStyle,
  ComponentType,
  InteractionResponseType,
  MessageFlags,
  type APIMessage,
} from 'discord-api-types/v10';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../src/domain/audio.js';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { createBot } from '../../src/discord/bot.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { submissionsModule, type SubmissionsOptions } from '../../src/features/submissions/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { updateGuildSettings } from '../../src/storage/guild-config-repo.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { seedSubmission } from '../support/db/fixtures.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { useTestBot } from '../support/bot/test-bot.js';
import {
  FLAC_BYTES,
  M4A_BYTES,
  MP3_BYTES,
  MP3_WITH_ID3_BYTES,
  PNG_BYTES,
  WAV_BYTES,
} from '../support/audio-samples.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
const t = useTestBot(database);

const queued = () => listQueue(database.db, t.guildId, { tiers: OPEN_TIERS, limit: 50 });
const uploads = () => fs.readdir(path.join(t.dataDir, 'uploads')).catch(() => []);

/** Replaces the bot of this test with one whose submissions module takes `options`. */
async function restartWith(options: SubmissionsOptions): Promise<void> {
  await t.restart({ modules: new Map(FEATURE_MODULES).set('submissions', () => submissionsModule(options)) });
}

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
      submit({ artist: 'A', title: 'B', file: { filename: 'Night Drive (final).mp3', data: MP3_BYTES } }),
    );
    expect(reply.content).toMatch(/Queued/);
    const [entry] = (await queued()).entries;
    expect(entry?.filePath).toMatch(/^[0-9a-f-]{36}\.mp3$/);
    expect(entry?.fileName).toBe('Night Drive (final).mp3');
    const stored = await fs.readFile(path.join(t.dataDir, 'uploads', entry?.filePath ?? ''));
    expect(stored.equals(MP3_BYTES)).toBe(true);
  });

  it.each([
    ['a WAV', 'take 3.wav', WAV_BYTES, 'wav'],
    ['a FLAC', 'take 3.flac', FLAC_BYTES, 'flac'],
    ['an M4A', 'take 3.m4a', M4A_BYTES, 'm4a'],
    ['an MP3 with an ID3 tag', 'take 3.mp3', MP3_WITH_ID3_BYTES, 'mp3'],
  ])('accepts %s by its bytes', async (_name, filename, data, ext) => {
    expect((await answer(submit({ artist: 'A', title: 'B', file: { filename, data } }))).content).toMatch(
      /Queued/,
    );
    expect((await queued()).entries[0]?.filePath).toMatch(new RegExp(`\\.${ext}$`));
  });

  it.each([
    ['a PNG renamed .mp3', { filename: 'song.mp3', data: PNG_BYTES }, /isn't an MP3, M4A, WAV or FLAC/],
    ['an empty file', { filename: 'song.mp3', data: Buffer.alloc(0) }, /empty/],
    [
      'a file of 25 MB + 1 byte',
      { filename: 'song.wav', data: Buffer.alloc(25 * 1024 * 1024 + 1) },
      /^That file is larger than the 25 MB limit\./,
    ],
    ['an MP3 cut short', { filename: 'song.mp3', data: MP3_BYTES.subarray(0, 100) }, /cut short/],
  ])('refuses %s and keeps nothing', async (_name, file, reason) => {
    const reply = await answer(submit({ artist: 'A', title: 'B', file }));
    expect(reply.content).toMatch(reason);
    expect((await queued()).total).toBe(0);
    expect(await uploads()).toEqual([]);
  });

  it('escapes markdown in artist and title', async () => {
    const reply = await answer(
      submit({ artist: '*NSYNC', title: '**bold**', link: 'https://youtu.be/dQw4w9WgXcQ' }),
    );
    expect(reply.content).toContain('\\*NSYNC');
    expect(reply.content).toContain('\\*\\*bold\\*\\*');
  });

  it('refuses mentions in artist and title and queues nothing', async () => {
    const reply = await answer(
      submit({ artist: '@everyone', title: 'B <@&123>', link: 'https://youtu.be/dQw4w9WgXcQ' }),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Artist and title can't contain mentions/);
    expect((await queued()).total).toBe(0);
  });
});

describe('downloading an attached file from Discord', () => {
  it('gives up on a download that stalls mid-file, asks to upload again, and keeps nothing', async () => {
    await restartWith({ download: { timeoutMs: 300 } });
    const reply = await answer(
      submit({
        artist: 'A',
        title: 'B',
        file: { filename: 'song.mp3', data: MP3_BYTES, delivery: { stallAfterBytes: 100 } },
      }),
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('Downloading your file from Discord took too long; try uploading it again.');
    expect((await queued()).total).toBe(0);
    expect(await uploads()).toEqual([]);
  });

  it.each([
    ['with an honest Content-Length', {}],
    ['sent chunked, so only counting the bytes reveals the size', { chunked: true }],
  ])(
    'refuses an attachment that claims 1 kB but serves 25 MB + 1 byte %s, and keeps nothing',
    async (_name, delivery) => {
      const file = {
        filename: 'song.wav',
        data: Buffer.concat([WAV_BYTES, Buffer.alloc(MAX_UPLOAD_BYTES + 1 - WAV_BYTES.length)]),
        declaredSize: 1_000,
        delivery,
      };
      const reply = await answer(submit({ artist: 'A', title: 'B', file }));
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(/larger than the 25 MB limit/);
      expect((await queued()).total).toBe(0);
      expect(await uploads()).toEqual([]);
    },
  );
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

  it('takes one song linked twice (youtu.be and youtube.com) as one submission', async () => {
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'Nova - Night Drive https://youtu.be/dQw4w9WgXcQ https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    });
    await t.discord.waitForCall((c) => c.method === 'PUT' && c.path.includes('/reactions/✅/@me'));
    expect((await queued()).entries.map((e) => e.link)).toEqual([
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    ]);
  });

  it.each([
    ['two supported songs', 'https://soundcloud.com/nova/night-drive https://youtu.be/dQw4w9WgXcQ'],
    [
      'a supported song and a refused link',
      'Nova - Night Drive https://music.apple.com/us/album/x/1?i=2 https://youtu.be/dQw4w9WgXcQ',
    ],
    ['two refused links', 'https://music.apple.com/us/album/x/1?i=2 https://example.com/song'],
  ])('answers a message with %s asking for one song per message, and queues nothing', async (_n, content) => {
    t.discord.message({ channelId: t.channels.submissions, author: t.users.viewer, content });
    const reply = await t.discord.waitForCall(
      (c) => c.method === 'POST' && c.path === `/channels/${t.channels.submissions}/messages`,
    );
    expect(String((reply.body as { content: string }).content)).toMatch(/^Post one song per message/);
    await t.discord.waitForCall((c) => c.method === 'PUT' && c.path.includes('/reactions/❌/@me'));
    expect((await queued()).total).toBe(0);
  });
});

describe('channel hygiene', () => {
  const NOTICE_MS = 200;

  it('when on, deletes chatter and posts a notice that it deletes in turn', async () => {
    await restartWith({ hygieneNoticeMs: NOTICE_MS });
    await updateGuildSettings(database.db, t.guildId, (s) => ({ ...s, channelHygiene: true }));
    const chatter = t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'hello all',
    });
    const messages = `/channels/${t.channels.submissions}/messages`;
    const deleted = await t.discord.waitForCall((c) => c.method === 'DELETE');
    expect(deleted.path).toBe(`${messages}/${chatter.id}`);
    const notice = await t.discord.waitForCall<{ content: string; allowed_mentions: unknown }>(
      (c) => c.method === 'POST' && c.path === messages,
    );
    expect(notice.body.content).toMatch(/this channel is for song submissions only/);
    expect(notice.body.allowed_mentions).toEqual({ parse: [] });
    const noticeId = (notice.response as { id: string }).id;
    expect(t.discord.channelMessages(t.channels.submissions).map((m) => m.id)).toEqual([noticeId]);

    const noticeDeleted = await t.discord.waitForCall(
      (c) => c.method === 'DELETE' && c.path === `${messages}/${noticeId}`,
    );
    expect(noticeDeleted.at - notice.at).toBeGreaterThanOrEqual(NOTICE_MS - 50);
    expect(t.discord.channelMessages(t.channels.submissions)).toEqual([]);
  });

  it('when off (the default), leaves chatter alone', async () => {
    const chatter = t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.viewer,
      content: 'hello all',
    });
    // A link after it: once the bot answered the link, it has seen the chatter too.
    t.discord.message({
      channelId: t.channels.submissions,
      author: t.users.other,
      content: 'https://youtu.be/dQw4w9WgXcQ',
    });
    await t.discord.waitForCall((c) => c.method === 'PUT' && c.path.includes('/reactions/'));
    expect(t.discord.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    expect(t.discord.channelMessages(t.channels.submissions).map((m) => m.id)).toContain(chatter.id);
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

  /** Posts the portal as the admin and returns its message. */
  async function postPortal() {
    const post = t.discord.slashCommand({
      channelId: t.channels.general,
      user: t.users.admin,
      name: 'admin',
      subcommand: 'portal',
    });
    await post.reply();
    const [portal] = t.discord.channelMessages(t.channels.submissions);
    if (!portal) throw new Error('no portal was posted');
    return portal;
  }

  const click = (customId: string, message: APIMessage, user = t.users.viewer) =>
    t.discord.button({ channelId: t.channels.submissions, user, customId, message });

  it('answers "Submit a file" privately with how to attach a file to /submit', async () => {
    const reply = await click('submissions:portal-file', await postPortal()).reply();
    expect(reply.body.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
    expect(reply.body.data.content).toMatch(
      /`\/submit`.*`file` option \(MP3, M4A, WAV or FLAC, up to 25 MB\)/,
    );
    expect((await queued()).total).toBe(0);
  });

  it('"Submit again from history" offers the member’s played songs and queues the one picked', async () => {
    // Played an hour ago, past the resubmit cooldown.
    const played = await seedSubmission(database.db, {
      guildId: t.guildId,
      submitter: t.users.viewer.id,
      tier: 'played',
      submittedAt: new Date(Date.now() - 3_600_000),
    });
    await seedSubmission(database.db, { guildId: t.guildId, submitter: t.users.other.id, tier: 'played' });
    const history = click('submissions:portal-history', await postPortal());
    const { body } = await history.reply();
    expect(body.data.flags).toBe(MessageFlags.Ephemeral);
    const menu = (
      body.data.components?.[0] as { components: { custom_id: string; options: { value: string }[] }[] }
    ).components[0]!;
    expect(menu.custom_id).toBe(`submissions:resubmit:${t.users.viewer.id}`);
    expect(menu.options.map((o) => o.value)).toEqual([String(played)]);

    const pick = t.discord.selectMenu({
      channelId: t.channels.submissions,
      user: t.users.viewer,
      customId: menu.custom_id,
      message: history.originalMessage()!,
      values: [String(played)],
    });
    const picked = await pick.reply();
    expect(picked.body.type).toBe(InteractionResponseType.UpdateMessage);
    expect(picked.body.data.content).toMatch(/^Queued \*\*Artist – Song \d+\*\* in Free/);
    expect((await queued()).entries.map((e) => e.submitterId)).toEqual([t.users.viewer.id]);
  });

  it('"Submit again from history" tells a member without played songs so', async () => {
    const reply = await click('submissions:portal-history', await postPortal()).reply();
    expect(reply.body.data.content).toBe('You have no played songs to submit again yet.');
    expect(reply.body.data.flags).toBe(MessageFlags.Ephemeral);
  });

  it('keeps working after a restart: a fresh bot on the same Discord and database answers its buttons', async () => {
    const portal = await postPortal();
    await t.bot.stop();
    const fresh = createBot({
      config: t.config,
      logger: createLogger('silent'),
      database: t.database,
      modules: FEATURE_MODULES,
    });
    try {
      await fresh.start(t.discord.token);
      const file = await click('submissions:portal-file', portal).reply();
      expect(file.body.data.content).toMatch(/type `\/submit`/);
      const link = await click('submissions:portal-link', portal).reply();
      expect(link.body.type).toBe(InteractionResponseType.Modal);
      const form = t.discord.modalSubmit({
        channelId: t.channels.submissions,
        user: t.users.viewer,
        customId: 'submissions:modal-link',
        fields: { artist: 'Nova', title: 'After Restart', link: 'https://youtu.be/dQw4w9WgXcQ', note: '' },
      });
      expect((await form.reply()).body.data.content).toMatch(/Queued \*\*Nova – After Restart\*\*/);
    } finally {
      await fresh.stop();
    }
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
