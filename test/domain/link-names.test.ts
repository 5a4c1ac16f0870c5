import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  linkNameRequest,
  PUBLIC_LINK_NAME_ENDPOINTS,
  songNameFromResponse,
  type NamingPlatform,
} from '../../src/domain/link-names.js';

const endpoints = PUBLIC_LINK_NAME_ENDPOINTS;

describe('linkNameRequest', () => {
  it.each([
    [
      'https://soundcloud.com/nova/night-drive',
      'soundcloud',
      'https://soundcloud.com/oembed?format=json&url=https%3A%2F%2Fsoundcloud.com%2Fnova%2Fnight-drive',
    ],
    [
      'https://on.soundcloud.com/Xy12AbCd',
      'soundcloud',
      'https://soundcloud.com/oembed?format=json&url=https%3A%2F%2Fon.soundcloud.com%2FXy12AbCd',
    ],
    [
      'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      'spotify',
      'https://open.spotify.com/oembed?url=https%3A%2F%2Fopen.spotify.com%2Ftrack%2F4uLU6hMCjMI75M1A2tKUQC',
    ],
    [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'youtube',
      'https://www.youtube.com/oembed?format=json&url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DdQw4w9WgXcQ',
    ],
    ['https://www.deezer.com/track/3135556', 'deezer', 'https://api.deezer.com/track/3135556'],
    ['https://www.deezer.com/album/302127', 'deezer', 'https://api.deezer.com/album/302127'],
  ] as const)('asks about %s (%s) at %s', (url, platform, request) => {
    expect(linkNameRequest({ url, platform }, endpoints)).toEqual({ platform, url: request });
  });

  it('asks nothing for Deezer short links, whose id only the redirect knows', () => {
    expect(
      linkNameRequest({ url: 'https://link.deezer.com/s/30AbC', platform: 'deezer' }, endpoints),
    ).toBeNull();
  });

  it('asks nothing for Ditto, which has no public endpoint', () => {
    expect(
      linkNameRequest({ url: 'https://ditto.fm/nova-night-drive', platform: 'ditto' }, endpoints),
    ).toBeNull();
  });

  it('uses the endpoints it is given', () => {
    const local = { ...endpoints, youtube: 'http://127.0.0.1:9/youtube/oembed' };
    expect(
      linkNameRequest({ url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', platform: 'youtube' }, local)
        ?.url,
    ).toMatch(/^http:\/\/127\.0\.0\.1:9\/youtube\/oembed\?format=json&url=/);
  });
});

describe('songNameFromResponse', () => {
  it('reads SoundCloud\'s "<track> by <uploader>" title', () => {
    const body = { title: 'Night Drive by DJ Nova', author_name: 'DJ Nova' };
    expect(songNameFromResponse('soundcloud', body)).toEqual({ artist: 'DJ Nova', title: 'Night Drive' });
  });

  it('prefers "Artist - Title" in a SoundCloud title over the uploader (a label or repost channel)', () => {
    const body = { title: 'Nova - Night Drive by Label Records', author_name: 'Label Records' };
    expect(songNameFromResponse('soundcloud', body)).toEqual({ artist: 'Nova', title: 'Night Drive' });
  });

  it('keeps a SoundCloud title whole when it does not end with the uploader', () => {
    const body = { title: 'Stand by Me', author_name: 'Nova' };
    expect(songNameFromResponse('soundcloud', body)).toEqual({ artist: 'Nova', title: 'Stand by Me' });
  });

  it('splits a YouTube title written "Artist - Title"', () => {
    const body = {
      title: 'Rick Astley - Never Gonna Give You Up (Official Video)',
      author_name: 'Rick Astley',
    };
    expect(songNameFromResponse('youtube', body)).toEqual({
      artist: 'Rick Astley',
      title: 'Never Gonna Give You Up',
    });
  });

  it.each([
    ['Nova - Night Drive (Official Music Video)', 'Night Drive'],
    ['Nova - Night Drive [Official Lyric Video]', 'Night Drive'],
    ['Nova - Night Drive (Audio) [HD]', 'Night Drive (Audio) [HD]'],
    ['Nova - Night Drive (Visualizer)', 'Night Drive'],
    ['Nova - Night Drive (Lyrics) (Official Audio)', 'Night Drive'],
    ['Nova - Night Drive (feat. Vega) (Official Video)', 'Night Drive (feat. Vega)'],
    ['Nova - Night Drive (Remix)', 'Night Drive (Remix)'],
  ])('drops the video label from the YouTube title %s', (title, song) => {
    expect(songNameFromResponse('youtube', { title, author_name: 'Nova' })?.title).toBe(song);
  });

  it('keeps a YouTube title that is nothing but a label', () => {
    expect(songNameFromResponse('youtube', { title: '(Official Video)', author_name: 'Nova' })).toEqual({
      artist: 'Nova',
      title: '(Official Video)',
    });
  });

  it('takes the channel as the artist, without " - Topic", when a YouTube title has no separator', () => {
    const body = { title: 'Night Drive', author_name: 'Nova - Topic' };
    expect(songNameFromResponse('youtube', body)).toEqual({ artist: 'Nova', title: 'Night Drive' });
  });

  it('names only the title of a Spotify song (its oEmbed has no artist)', () => {
    expect(songNameFromResponse('spotify', { title: 'Night Drive', type: 'rich' })).toEqual({
      artist: 'Unknown artist',
      title: 'Night Drive',
    });
  });

  it("reads Deezer's title and artist name", () => {
    const body = {
      id: 3135556,
      title: 'Harder, Better, Faster, Stronger',
      artist: { id: 27, name: 'Daft Punk' },
    };
    expect(songNameFromResponse('deezer', body)).toEqual({
      artist: 'Daft Punk',
      title: 'Harder, Better, Faster, Stronger',
    });
  });

  it("returns null for Deezer's error answer", () => {
    const body = { error: { type: 'DataException', message: 'no data', code: 800 } };
    expect(songNameFromResponse('deezer', body)).toBeNull();
  });

  it.each<[NamingPlatform, unknown]>([
    ['youtube', null],
    ['youtube', 'Rick Astley - Never Gonna Give You Up'],
    ['youtube', { title: 42, author_name: 'x' }],
    ['youtube', { title: '   ', author_name: 'x' }],
    ['youtube', { title: 'No separator' }],
    ['soundcloud', { title: 'Night Drive' }],
    ['deezer', { title: 'Night Drive', artist: 'Nova' }],
    ['spotify', {}],
  ])('returns null for a %s answer without usable names: %j', (platform, body) => {
    expect(songNameFromResponse(platform, body)).toBeNull();
  });

  it.each([
    ['a mention', { title: '@everyone - Night Drive' }],
    ['a title over 100 characters', { title: `Nova - ${'x'.repeat(101)}` }],
    ['a masked link', { title: 'Nova - [click](https://evil.example)' }],
    ['a line break in the channel name', { title: 'Night Drive', author_name: 'Nova\nDrive' }],
  ])('drops names a viewer could not type either: %s', (_name, body) => {
    expect(songNameFromResponse('youtube', body)).toBeNull();
  });

  it('gives up quickly on a hostile title', () => {
    const started = performance.now();
    expect(
      songNameFromResponse('youtube', { title: `${' '.repeat(60_000)}x`, author_name: 'Nova' }),
    ).toBeNull();
    expect(
      songNameFromResponse('youtube', { title: `Nova - ${' ('.repeat(400)}`, author_name: 'Nova' }),
    ).toBeNull();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never throws, and only returns names that pass the submission checks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<NamingPlatform>('soundcloud', 'spotify', 'youtube', 'deezer'),
        fc.anything(),
        fc.record({ title: fc.string(), author_name: fc.string(), artist: fc.record({ name: fc.string() }) }),
        (platform, anything, record) => {
          for (const body of [anything, record]) {
            const name = songNameFromResponse(platform, body);
            if (name === null) continue;
            for (const part of [name.artist, name.title]) {
              expect(part.length).toBeGreaterThan(0);
              expect(part.length).toBeLessThanOrEqual(100);
              expect(part).toBe(part.trim());
            }
          }
        },
      ),
    );
  });
});
