import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCEPTED_PLATFORMS_TEXT,
  classifyLink,
  extractLinks,
  parseArtistTitle,
  type Platform,
} from '../../src/domain/links.js';

const SPOTIFY_ID = '4uLU6hMCjMI75M1A2tKUQC';
const YT_ID = 'dQw4w9WgXcQ';
const YT_WATCH = `https://www.youtube.com/watch?v=${YT_ID}`;

const accepted: [string, Platform, string][] = [
  // SoundCloud
  ['https://soundcloud.com/artist/track-name', 'soundcloud', 'https://soundcloud.com/artist/track-name'],
  ['https://www.soundcloud.com/artist/track-name', 'soundcloud', 'https://soundcloud.com/artist/track-name'],
  ['https://m.soundcloud.com/artist/track-name', 'soundcloud', 'https://soundcloud.com/artist/track-name'],
  [
    'https://soundcloud.com/artist/track-name?in=artist/sets/ep&utm_source=clipboard&utm_medium=text',
    'soundcloud',
    'https://soundcloud.com/artist/track-name',
  ],
  [
    'https://soundcloud.com/artist/track-name/s-AbC123xyz',
    'soundcloud',
    'https://soundcloud.com/artist/track-name/s-AbC123xyz',
  ],
  ['https://on.soundcloud.com/Xy12AbCd', 'soundcloud', 'https://on.soundcloud.com/Xy12AbCd'],
  [
    'https://on.soundcloud.com/Xy12AbCd?utm_source=clipboard',
    'soundcloud',
    'https://on.soundcloud.com/Xy12AbCd',
  ],
  ['https://soundcloud.app.goo.gl/AbCd1234', 'soundcloud', 'https://soundcloud.app.goo.gl/AbCd1234'],
  ['https://snd.sc/1a2B3c', 'soundcloud', 'https://snd.sc/1a2B3c'],
  // Spotify
  [`https://open.spotify.com/track/${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/track/${SPOTIFY_ID}`],
  [
    `https://open.spotify.com/track/${SPOTIFY_ID}?si=a1b2c3d4`,
    'spotify',
    `https://open.spotify.com/track/${SPOTIFY_ID}`,
  ],
  [
    `https://open.spotify.com/intl-de/track/${SPOTIFY_ID}`,
    'spotify',
    `https://open.spotify.com/track/${SPOTIFY_ID}`,
  ],
  [
    `https://open.spotify.com/intl-pt-br/track/${SPOTIFY_ID}/`,
    'spotify',
    `https://open.spotify.com/track/${SPOTIFY_ID}`,
  ],
  [`https://open.spotify.com/album/${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/album/${SPOTIFY_ID}`],
  [`http://open.spotify.com/track/${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/track/${SPOTIFY_ID}`],
  [`https://OPEN.Spotify.COM/track/${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/track/${SPOTIFY_ID}`],
  [
    `https://open.spotify.com:443/track/${SPOTIFY_ID}`,
    'spotify',
    `https://open.spotify.com/track/${SPOTIFY_ID}`,
  ],
  [
    `https://open.spotify.com/track/${SPOTIFY_ID}#about`,
    'spotify',
    `https://open.spotify.com/track/${SPOTIFY_ID}`,
  ],
  [
    `https://open.spotify.com/embed/track/${SPOTIFY_ID}`,
    'spotify',
    `https://open.spotify.com/track/${SPOTIFY_ID}`,
  ],
  [`https://play.spotify.com/track/${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/track/${SPOTIFY_ID}`],
  [`spotify:track:${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/track/${SPOTIFY_ID}`],
  [`spotify:album:${SPOTIFY_ID}`, 'spotify', `https://open.spotify.com/album/${SPOTIFY_ID}`],
  ['https://spotify.link/AbCdEf12', 'spotify', 'https://spotify.link/AbCdEf12'],
  ['https://spotify.app.link/AbCdEf12?_p=c11', 'spotify', 'https://spotify.app.link/AbCdEf12?_p=c11'],
  [
    'https://spotify.link/AbCdEf12?_branch_match_id=123',
    'spotify',
    'https://spotify.link/AbCdEf12?_branch_match_id=123',
  ],
  // YouTube
  [`https://www.youtube.com/watch?v=${YT_ID}`, 'youtube', YT_WATCH],
  [`https://youtube.com/watch?v=${YT_ID}`, 'youtube', YT_WATCH],
  [`https://m.youtube.com/watch?v=${YT_ID}`, 'youtube', YT_WATCH],
  [`https://music.youtube.com/watch?v=${YT_ID}&si=xyz`, 'youtube', YT_WATCH],
  [`https://www.youtube.com/watch?feature=share&v=${YT_ID}&t=42&list=PL123`, 'youtube', YT_WATCH],
  [`https://youtu.be/${YT_ID}`, 'youtube', YT_WATCH],
  [`https://youtu.be/${YT_ID}?si=AbCdEf`, 'youtube', YT_WATCH],
  [`https://www.youtube.com/shorts/${YT_ID}`, 'youtube', YT_WATCH],
  [`https://youtube.com/shorts/${YT_ID}?feature=share`, 'youtube', YT_WATCH],
  [`https://www.youtube.com/live/${YT_ID}?si=AbC`, 'youtube', YT_WATCH],
  [`https://www.youtube.com/embed/${YT_ID}`, 'youtube', YT_WATCH],
  [`https://www.youtube.com/v/${YT_ID}`, 'youtube', YT_WATCH],
  [`https://www.youtube-nocookie.com/embed/${YT_ID}?start=10`, 'youtube', YT_WATCH],
  [`https://youtube-nocookie.com/embed/${YT_ID}`, 'youtube', YT_WATCH],
  [`https://music.youtube.com/watch?v=${YT_ID}&list=RDAMVM${YT_ID}`, 'youtube', YT_WATCH],
  [`<https://youtu.be/${YT_ID}>`, 'youtube', YT_WATCH],
  [`  https://youtu.be/${YT_ID}  `, 'youtube', YT_WATCH],
  // Deezer
  ['https://www.deezer.com/track/3135556', 'deezer', 'https://www.deezer.com/track/3135556'],
  ['https://deezer.com/track/3135556', 'deezer', 'https://www.deezer.com/track/3135556'],
  [
    'https://www.deezer.com/en/track/3135556?utm_campaign=share',
    'deezer',
    'https://www.deezer.com/track/3135556',
  ],
  ['https://www.deezer.com/fr/album/302127', 'deezer', 'https://www.deezer.com/album/302127'],
  ['https://www.deezer.com/us/track/3135556', 'deezer', 'https://www.deezer.com/track/3135556'],
  ['https://www.deezer.com/pt-br/track/3135556', 'deezer', 'https://www.deezer.com/track/3135556'],
  ['https://link.deezer.com/s/30AbCdEfGh', 'deezer', 'https://link.deezer.com/s/30AbCdEfGh'],
  ['https://deezer.page.link/AbCdEf123', 'deezer', 'https://deezer.page.link/AbCdEf123'],
  ['https://dzr.page.link/eGX7m2WLYzM6XDHa8', 'deezer', 'https://dzr.page.link/eGX7m2WLYzM6XDHa8'],
  // Ditto
  ['https://ditto.fm/artist-new-single', 'ditto', 'https://ditto.fm/artist-new-single'],
  ['https://ditto.fm/artist-new-single?utm_source=tiktok#top', 'ditto', 'https://ditto.fm/artist-new-single'],
  ['https://artist.ditto.fm/new-single', 'ditto', 'https://artist.ditto.fm/new-single'],
  ['https://new-single.ditto.fm/', 'ditto', 'https://new-single.ditto.fm/'],
];

describe('classifyLink accepts songs from the five platforms', () => {
  it.each(accepted)('%s is a %s song, normalized to %s', (raw, platform, url) => {
    expect(classifyLink(raw)).toEqual({ ok: true, platform, url });
  });

  it.each(accepted)('normalizing %s twice changes nothing', (raw) => {
    const first = classifyLink(raw);
    if (!first.ok) throw new Error(`expected ${raw} to be accepted`);
    expect(classifyLink(first.url)).toEqual(first);
  });

  it('makes the app, web and short forms of one YouTube video compare equal', () => {
    const forms = [`https://youtu.be/${YT_ID}`, `https://m.youtube.com/watch?v=${YT_ID}&feature=share`];
    expect(new Set(forms.map((f) => (classifyLink(f) as { url: string }).url)).size).toBe(1);
  });
});

const refused: [string, 'apple_link' | 'unsupported_link' | 'invalid_link', string][] = [
  // Apple Music / iTunes
  ['https://music.apple.com/us/album/song/1440818839?i=1440819001', 'apple_link', 'Apple Music'],
  ['https://geo.music.apple.com/us/album/song/1440818839', 'apple_link', 'Apple Music'],
  ['https://itunes.apple.com/us/album/song/id1440818839', 'apple_link', 'Apple Music'],
  ['https://apple.co/3AbCdEf', 'apple_link', 'Apple Music'],
  ['https://music.apple.com/us/playlist/x/pl.u-123', 'apple_link', 'Apple Music'],
  ['spotify:track:4uLU6hMCjMI75M1A2tKUQC:evil', 'invalid_link', 'https://'],
  // Other sites and look-alikes
  ['https://bandcamp.com/track/song', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['https://www.tiktok.com/@artist/video/123', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [`https://spotify.com.evil.example/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [`https://open.spotify.com.evil.example/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [
    `https://open.spotify.com%2eevil.example/track/${SPOTIFY_ID}`,
    'unsupported_link',
    ACCEPTED_PLATFORMS_TEXT,
  ],
  [`https://evilspotify.com/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [`https://openspotify.com/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [`https://www.youtube.com.evil.example/watch?v=${YT_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['https://evilditto.fm/song', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['https://api.soundcloud.com/tracks/123', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [
    `https://evil.example\\@open.spotify.com/track/${SPOTIFY_ID}`,
    'unsupported_link',
    ACCEPTED_PLATFORMS_TEXT,
  ],
  [`https://open.spotify.com./track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  // Internationalized (homograph) hosts
  [`https://spotìfy.com/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [`https://open.spotìfy.com/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  [`https://xn--spotfy-zva.com/track/${SPOTIFY_ID}`, 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['https://ѕoundcloud.com/artist/track', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['https://xn--80ak6aa92e.ditto.fm/song', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  // IP hosts
  ['http://127.0.0.1/artist/track', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['http://2130706433/artist/track', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  ['http://[::1]/artist/track', 'unsupported_link', ACCEPTED_PLATFORMS_TEXT],
  // Not web links, or unusable ones
  ['javascript:alert(1)', 'invalid_link', 'https://'],
  ['data:text/html,<script>alert(1)</script>', 'invalid_link', 'https://'],
  ['ftp://soundcloud.com/artist/track', 'invalid_link', 'https://'],
  [`https://user:pass@open.spotify.com/track/${SPOTIFY_ID}`, 'invalid_link', 'https://'],
  ['https://open.spotify.com@evil.example/', 'invalid_link', 'https://'],
  [`https://open.spotify.com:8443/track/${SPOTIFY_ID}`, 'invalid_link', 'https://'],
  [`https://youtu.be:80/${YT_ID}`, 'invalid_link', 'https://'],
  [`open.spotify.com/track/${SPOTIFY_ID}`, 'invalid_link', 'https://'],
  ['my song is great', 'invalid_link', 'https://'],
  ['', 'invalid_link', 'https://'],
  [`https://youtu.be/${YT_ID}?x=${'a'.repeat(2100)}`, 'invalid_link', 'https://'],
  // Bare domains and pages that are not a song
  ['https://open.spotify.com/', 'invalid_link', "Spotify link doesn't point to a song"],
  ['https://open.spotify.com/intl-de/', 'invalid_link', "Spotify link doesn't point to a song"],
  [`https://open.spotify.com/playlist/${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  [`https://open.spotify.com/artist/${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  ['https://open.spotify.com/track/tooShort', 'invalid_link', "Spotify link doesn't point to a song"],
  [`https://open.spotify.com/show/${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  [`https://open.spotify.com/episode/${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  [
    `https://open.spotify.com/embed/playlist/${SPOTIFY_ID}`,
    'invalid_link',
    "Spotify link doesn't point to a song",
  ],
  [
    `https://open.spotify.com/user/someone/playlist/${SPOTIFY_ID}`,
    'invalid_link',
    "Spotify link doesn't point to a song",
  ],
  [`https://play.spotify.com/artist/${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  [`spotify:playlist:${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  [`spotify:artist:${SPOTIFY_ID}`, 'invalid_link', "Spotify link doesn't point to a song"],
  ['spotify:track:tooShort', 'invalid_link', "Spotify link doesn't point to a song"],
  ['https://spotify.link/', 'invalid_link', "Spotify link doesn't point to a song"],
  ['https://soundcloud.com', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://soundcloud.com/artist', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://soundcloud.com/artist/sets/first-ep', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://soundcloud.com/discover/sets/charts', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://soundcloud.com/artist/track/comments', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://on.soundcloud.com/', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://www.youtube.com/', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube.com/watch', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube.com/watch?v=short', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube.com/@artist', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube.com/playlist?list=PL123', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube.com/channel/UC123', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://music.youtube.com/browse/MPREb_abc', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube.com/live/short', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.youtube-nocookie.com/', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://youtu.be/', 'invalid_link', "YouTube link doesn't point to a song"],
  ['https://www.deezer.com/', 'invalid_link', "Deezer link doesn't point to a song"],
  ['https://www.deezer.com/en/artist/27', 'invalid_link', "Deezer link doesn't point to a song"],
  ['https://www.deezer.com/fr/playlist/908622995', 'invalid_link', "Deezer link doesn't point to a song"],
  ['https://soundcloud.app.goo.gl/', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://soundcloud.com/artist/likes', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://m.soundcloud.com/artist/sets/ep', 'invalid_link', "SoundCloud link doesn't point to a song"],
  ['https://ditto.fm/', 'invalid_link', "Ditto link doesn't point to a song"],
];

describe('classifyLink refuses everything else', () => {
  it.each(refused)('%s is refused as %s', (raw, code, inMessage) => {
    const result = classifyLink(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.message).toContain(inMessage);
  });

  it('explains why Apple Music is refused and what to send instead', () => {
    expect(classifyLink('https://music.apple.com/us/album/x/1')).toEqual({
      ok: false,
      code: 'apple_link',
      message:
        "Apple Music links can't be played on stream; send a Spotify, SoundCloud, YouTube, Deezer or Ditto link instead.",
    });
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        (raw) => {
          expect(() => classifyLink(raw)).not.toThrow();
        },
      ),
    );
  });

  it('never accepts an allowed host used as a prefix of another domain', () => {
    const allowed = ['open.spotify.com', 'soundcloud.com', 'youtu.be', 'www.deezer.com', 'ditto.fm'];
    fc.assert(
      fc.property(fc.constantFrom(...allowed), fc.domain(), (host, domain) => {
        expect(classifyLink(`https://${host}.${domain}/track/${SPOTIFY_ID}`).ok).toBe(false);
      }),
    );
  });

  it('never accepts an unrelated domain', () => {
    const platformDomains =
      /(^|\.)(spotify\.com|spotify\.link|spotify\.app\.link|soundcloud\.com|soundcloud\.app\.goo\.gl|snd\.sc|youtube\.com|youtube-nocookie\.com|youtu\.be|deezer\.com|deezer\.page\.link|dzr\.page\.link|ditto\.fm)$/;
    fc.assert(
      fc.property(
        fc.domain().filter((d) => !platformDomains.test(d)),
        (domain) => {
          expect(classifyLink(`https://${domain}/artist/track`).ok).toBe(false);
        },
      ),
    );
  });
});

describe('extractLinks', () => {
  it('finds the links in a message, in order', () => {
    expect(extractLinks(`new song! https://youtu.be/${YT_ID} and https://soundcloud.com/a/b`)).toEqual([
      `https://youtu.be/${YT_ID}`,
      'https://soundcloud.com/a/b',
    ]);
  });

  it('finds a Spotify URI as copied from the desktop app', () => {
    expect(extractLinks(`my song spotify:track:${SPOTIFY_ID} pls`)).toEqual([`spotify:track:${SPOTIFY_ID}`]);
  });

  it('returns nothing for a message without links', () => {
    expect(extractLinks('Artist - Title, out now on every platform')).toEqual([]);
  });

  it('ignores links that are not http or https', () => {
    expect(extractLinks('ftp://soundcloud.com/a/b javascript:alert(1)')).toEqual([]);
  });

  it('finds links written in capitals', () => {
    expect(extractLinks('HTTPS://YOUTU.BE/abc')).toEqual(['HTTPS://YOUTU.BE/abc']);
  });

  it('drops sentence punctuation after a link', () => {
    expect(extractLinks('listen: https://soundcloud.com/a/b. Thanks!')).toEqual([
      'https://soundcloud.com/a/b',
    ]);
  });

  it('reads the link out of a Markdown masked link', () => {
    expect(extractLinks('[my song](https://soundcloud.com/a/b)')).toEqual(['https://soundcloud.com/a/b']);
  });

  it('drops the closing brackets of Markdown around a masked link', () => {
    expect(extractLinks('(see [my song](https://soundcloud.com/a/b)).')).toEqual([
      'https://soundcloud.com/a/b',
    ]);
  });

  it('keeps balanced parentheses that belong to the link', () => {
    expect(extractLinks('see https://example.com/wiki/Song_(band) now')).toEqual([
      'https://example.com/wiki/Song_(band)',
    ]);
  });

  it("reads a link out of Discord's <…> no-embed brackets", () => {
    expect(extractLinks(`<https://youtu.be/${YT_ID}>`)).toEqual([`https://youtu.be/${YT_ID}`]);
  });

  it('lists a repeated link once', () => {
    expect(extractLinks('https://ditto.fm/x https://ditto.fm/x')).toEqual(['https://ditto.fm/x']);
  });

  it('returns at most 5 links by default', () => {
    const text = Array.from({ length: 8 }, (_, i) => `https://ditto.fm/song-${i}`).join(' ');
    expect(extractLinks(text)).toEqual([0, 1, 2, 3, 4].map((i) => `https://ditto.fm/song-${i}`));
  });

  it('returns at most the number asked for', () => {
    expect(extractLinks('https://ditto.fm/a https://ditto.fm/b', 1)).toEqual(['https://ditto.fm/a']);
  });

  it('skips links longer than 2,048 characters', () => {
    const long = `https://ditto.fm/${'a'.repeat(2100)}`;
    expect(extractLinks(`${long} https://ditto.fm/ok`)).toEqual(['https://ditto.fm/ok']);
  });

  it('never returns more links than asked, nor an overlong one', () => {
    fc.assert(
      fc.property(fc.array(fc.webUrl(), { maxLength: 12 }), fc.nat(8), (urls, max) => {
        const links = extractLinks(urls.join(' '), max);
        expect(links.length).toBeLessThanOrEqual(max);
        for (const link of links) expect(link.length).toBeLessThanOrEqual(2048);
      }),
    );
  });
});

describe('parseArtistTitle', () => {
  it('reads "Artist - Title"', () => {
    expect(parseArtistTitle('Daft Punk - One More Time')).toEqual({
      artist: 'Daft Punk',
      title: 'One More Time',
    });
  });

  it.each(['Daft Punk – One More Time', 'Daft Punk — One More Time', 'Daft Punk—One More Time'])(
    'reads the en or em dash in %s',
    (text) => {
      expect(parseArtistTitle(text)).toEqual({ artist: 'Daft Punk', title: 'One More Time' });
    },
  );

  it('keeps hyphenated names whole', () => {
    expect(parseArtistTitle('Jay-Z - Empire State of Mind')).toEqual({
      artist: 'Jay-Z',
      title: 'Empire State of Mind',
    });
  });

  it('splits at the first separator, so titles keep their own dashes', () => {
    expect(parseArtistTitle('Artist - Song - Extended Mix')).toEqual({
      artist: 'Artist',
      title: 'Song - Extended Mix',
    });
  });

  it('ignores the link in the message', () => {
    expect(parseArtistTitle(`Artist - Title https://youtu.be/${YT_ID}`)).toEqual({
      artist: 'Artist',
      title: 'Title',
    });
  });

  it('ignores a link in no-embed brackets and reads the next line', () => {
    expect(parseArtistTitle(`<https://youtu.be/${YT_ID}>\n  Artist   -  Title  `)).toEqual({
      artist: 'Artist',
      title: 'Title',
    });
  });

  it('does not split a hyphen without spaces', () => {
    expect(parseArtistTitle('Artist-Title')).toBeNull();
  });

  it('returns null for a message without a separator', () => {
    expect(parseArtistTitle('please review my song')).toBeNull();
  });

  it('returns null for a message that is only a link', () => {
    expect(parseArtistTitle(`https://youtu.be/${YT_ID}`)).toBeNull();
  });

  it('returns null when a part is empty', () => {
    expect(parseArtistTitle('Artist - ')).toBeNull();
  });

  it('accepts parts of 100 characters and refuses 101', () => {
    expect(parseArtistTitle(`${'a'.repeat(100)} - ${'b'.repeat(100)}`)).not.toBeNull();
    expect(parseArtistTitle(`${'a'.repeat(101)} - Title`)).toBeNull();
    expect(parseArtistTitle(`Artist - ${'b'.repeat(101)}`)).toBeNull();
  });

  it('always returns trimmed parts of 1 to 100 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseArtistTitle(text);
        if (parsed === null) return;
        for (const part of [parsed.artist, parsed.title]) {
          expect(part).toBe(part.trim());
          expect([...part].length).toBeGreaterThanOrEqual(1);
          expect([...part].length).toBeLessThanOrEqual(100);
        }
      }),
    );
  });
});
