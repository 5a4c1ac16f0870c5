import { describe, expect, it } from 'vitest';
import { extractLinks } from '../../src/domain/links.js';
import { singleSongLink } from '../../src/domain/pasted-message.js';
import { catchUserError } from './catch-user-error.js';

describe('one song per pasted message', () => {
  it('takes the only link', () => {
    expect(singleSongLink(['https://youtu.be/dQw4w9WgXcQ'])).toBe('https://youtu.be/dQw4w9WgXcQ');
  });

  it('takes a message that spells the same song two ways as that one song', () => {
    expect(
      singleSongLink(['https://youtu.be/dQw4w9WgXcQ', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ']),
    ).toBe('https://youtu.be/dQw4w9WgXcQ');
  });

  it.each([
    [
      'two supported songs',
      ['https://soundcloud.com/nova/night-drive', 'https://youtu.be/dQw4w9WgXcQ'],
      /has 2 links/,
    ],
    [
      'a song and an Apple Music copy',
      ['https://youtu.be/dQw4w9WgXcQ', 'https://music.apple.com/us/album/x/1?i=2'],
      /has 2 links/,
    ],
    [
      'two refused links',
      ['https://music.apple.com/us/album/x/1?i=2', 'https://example.com/song'],
      /has 2 links/,
    ],
    [
      'a wall of links',
      extractLinks(Array.from({ length: 80 }, (_, n) => `https://youtu.be/vid${n}`).join(' ')),
      /has many links/,
    ],
  ])('refuses %s as a whole, saying to post one song per message', (_name, links, count) => {
    const error = catchUserError(() => singleSongLink(links));
    expect(error.code).toBe('one_song_per_message');
    expect(error.message).toMatch(/^Post one song per message: /);
    expect(error.message).toMatch(count);
    expect(error.message).toMatch(/nothing was queued\. Paste a single link .*or use \/submit\.$/);
  });

  it('needs at least one link (the caller handles chatter)', () => {
    expect(() => singleSongLink([])).toThrow(RangeError);
  });
});
