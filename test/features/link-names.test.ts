import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TIERS } from '../../src/domain/tiers.js';
import { FEATURE_MODULES } from '../../src/features/index.js';
import { submissionsModule } from '../../src/features/submissions/index.js';
import type { LinkNameOptions } from '../../src/features/submissions/link-names.js';
import { listQueue } from '../../src/storage/submissions-repo.js';
import { startTestBot, type TestBot } from '../support/bot/test-bot.js';
import { useTestDatabase } from '../support/db/test-database.js';
import { installUnhandledRejectionGuard } from '../support/discord/index.js';
import { startLinkNameServer, type LinkNameServer } from '../support/link-name-server.js';

installUnhandledRejectionGuard();

const database = useTestDatabase('postgres');
let platforms: LinkNameServer;
let t: TestBot | undefined;

const SPOTIFY = 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC';
const YOUTUBE = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
const SOUNDCLOUD = 'https://soundcloud.com/dj-nova/night-drive';

beforeEach(async () => {
  await database.reset();
  platforms = await startLinkNameServer();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  await platforms.close();
});

/** The shipped bot with LINK_NAMES set, its submissions module asking the local stand-in. */
async function startBot(linkNames: 'on' | 'off', options: LinkNameOptions = {}): Promise<TestBot> {
  const modules = new Map(FEATURE_MODULES).set('submissions', () =>
    submissionsModule({ linkNames: { endpoints: platforms.endpoints, ...options } }),
  );
  t = await startTestBot({ database, modules, env: { LINK_NAMES: linkNames } });
  return t;
}

/** Pastes `content` in the submission channel and waits for the bot's reply to it. */
async function paste(bot: TestBot, content: string, user = bot.users.viewer): Promise<string> {
  const sent = bot.discord.message({ channelId: bot.channels.submissions, author: user, content });
  const reply = await bot.discord.waitForCall<{
    content: string;
    message_reference?: { message_id: string };
  }>(
    (c) =>
      c.method === 'POST' &&
      c.path === `/channels/${bot.channels.submissions}/messages` &&
      (c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id === sent.id,
  );
  return reply.body.content;
}

async function queuedNames(bot: TestBot): Promise<string[]> {
  const { entries } = await listQueue(database.db, bot.guildId, { tiers: OPEN_TIERS, limit: 50 });
  return entries.map((e) => `${e.artist} – ${e.title}`);
}

describe('a link pasted without "Artist - Title" is named by its platform', () => {
  it("queues a YouTube video under the artist and title of the video's title", async () => {
    platforms.answer(YOUTUBE, {
      body: { title: 'Rick Astley - Never Gonna Give You Up', author_name: 'Rick Astley', type: 'video' },
    });
    const bot = await startBot('on');
    const reply = await paste(bot, `https://youtu.be/dQw4w9WgXcQ`);
    expect(reply).toContain('Queued **Rick Astley – Never Gonna Give You Up**');
    expect(await queuedNames(bot)).toEqual(['Rick Astley – Never Gonna Give You Up']);
    expect(platforms.requests).toEqual([{ path: 'youtube/oembed', url: YOUTUBE }]);
  });

  it('queues a SoundCloud track under its uploader and title', async () => {
    platforms.answer(SOUNDCLOUD, { body: { title: 'Night Drive (VIP) by DJ Nova', author_name: 'DJ Nova' } });
    const bot = await startBot('on');
    await paste(bot, `${SOUNDCLOUD}?utm_source=clipboard`);
    expect(await queuedNames(bot)).toEqual(['DJ Nova – Night Drive (VIP)']);
  });

  it('queues a Deezer track under the artist and title of the public API', async () => {
    platforms.answer('track/3135556', {
      body: { id: 3135556, title: 'Harder, Better, Faster, Stronger', artist: { name: 'Daft Punk' } },
    });
    const bot = await startBot('on');
    await paste(bot, 'https://www.deezer.com/fr/track/3135556');
    expect(await queuedNames(bot)).toEqual(['Daft Punk – Harder, Better, Faster, Stronger']);
  });

  it('keeps the names written in the message and asks nothing', async () => {
    const bot = await startBot('on');
    await paste(bot, `Nova - Night Drive ${SPOTIFY}`);
    expect(await queuedNames(bot)).toEqual(['Nova – Night Drive']);
    expect(platforms.requests).toEqual([]);
  });
});

describe('when the platform does not help, the link is named as before', () => {
  it('falls back within the deadline when the platform is slow', async () => {
    platforms.answer(SPOTIFY, { body: { title: 'Too Late' }, delayMs: 10_000 });
    const bot = await startBot('on', { timeoutMs: 300 });
    const started = Date.now();
    const reply = await paste(bot, SPOTIFY);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(reply).toContain('Queued **Unknown artist – Spotify link**');
    expect(platforms.requests).toHaveLength(1);
  });

  it('falls back when the platform does not know the link (404)', async () => {
    const bot = await startBot('on');
    await paste(bot, SPOTIFY);
    expect(await queuedNames(bot)).toEqual(['Unknown artist – Spotify link']);
    expect(platforms.requests).toHaveLength(1);
  });

  it('falls back when the answer is not JSON', async () => {
    platforms.answer(SPOTIFY, { body: '<html>Spotify</html>' });
    const bot = await startBot('on');
    await paste(bot, SPOTIFY);
    expect(await queuedNames(bot)).toEqual(['Unknown artist – Spotify link']);
  });

  it('falls back when the answered name is one a viewer could not type', async () => {
    platforms.answer(YOUTUBE, { body: { title: '@everyone - Free Nitro', author_name: 'Spam' } });
    const bot = await startBot('on');
    await paste(bot, YOUTUBE);
    expect(await queuedNames(bot)).toEqual(['Unknown artist – YouTube link']);
  });

  it('asks nothing with LINK_NAMES=off', async () => {
    platforms.answer(SPOTIFY, { body: { title: 'Night Drive' } });
    const bot = await startBot('off');
    await paste(bot, SPOTIFY);
    expect(await queuedNames(bot)).toEqual(['Unknown artist – Spotify link']);
    expect(platforms.requests).toEqual([]);
  });
});

it('asks once for a link pasted twice (the answer is cached)', async () => {
  platforms.answer(SPOTIFY, { body: { title: 'Night Drive' } });
  const bot = await startBot('on');
  expect(await paste(bot, SPOTIFY, bot.users.viewer)).toContain('Queued **Unknown artist – Night Drive**');
  // The second viewer's copy is a duplicate the queue refuses, but it is named first: from the cache.
  await paste(bot, `${SPOTIFY}?si=abc`, bot.users.other);
  expect(platforms.requests).toHaveLength(1);
});
