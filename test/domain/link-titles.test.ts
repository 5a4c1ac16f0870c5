import { describe, expect, it } from 'vitest';
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
