import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { artistTitleFromLink } from '../../src/domain/link-titles.js';

describe('artist and title from a link', () => {
  it('reads artist and track from a SoundCloud URL', () => {
    expect(artistTitleFromLink('https://soundcloud.com/dj-nova/midnight_drive-v2', 'soundcloud')).toEqual({
      artist: 'dj nova',
      title: 'midnight drive v2',
    });
  });

  it('labels links that carry only ids by their platform', () => {
    expect(artistTitleFromLink('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC', 'spotify')).toEqual({
      artist: 'Unknown artist',
      title: 'Spotify link',
    });
    expect(artistTitleFromLink('https://on.soundcloud.com/abc', 'soundcloud').title).toBe('SoundCloud link');
  });
});

describe('names from a link with a malformed %-escape', () => {
  it('keeps the escape as written instead of throwing', () => {
    expect(artistTitleFromLink('https://soundcloud.com/a%zz/b', 'soundcloud')).toEqual({
      artist: 'a%zz',
      title: 'b',
    });
  });

  it('never throws, whatever the path of a SoundCloud link', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme-ascii' }), { minLength: 1, maxLength: 3 }),
        (parts) => {
          const url = `https://soundcloud.com/${parts.map((p) => p.replace(/[/?#\\]/g, '')).join('/')}`;
          const named = artistTitleFromLink(url, 'soundcloud');
          expect(named.artist.length).toBeGreaterThan(0);
          expect(named.title.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
