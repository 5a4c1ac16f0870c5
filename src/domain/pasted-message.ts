import { UserFacingError } from './errors.js';
import { classifyLink } from './links.js';

/**
 * The one link of a message pasted in the submission channel. A message with several songs (or a
 * wall of links) is refused as a whole rather than guessed at; two spellings of the same song
 * (`youtu.be/x` and `youtube.com/watch?v=x`) count as one.
 */
export function singleSongLink(links: readonly string[]): string {
  const [first] = links;
  if (first === undefined) throw new RangeError('a pasted submission needs at least one link');
  const songs = new Set(links.map((link) => normalized(link)));
  if (songs.size > 1) {
    throw new UserFacingError(
      'one_song_per_message',
      `Post one song per message: this one has ${songs.size > 4 ? 'many' : songs.size} links, so nothing was queued. Paste a single link (with "Artist - Title" if you like), or use /submit.`,
    );
  }
  return first;
}

function normalized(link: string): string {
  const result = classifyLink(link);
  return result.ok ? result.url : link;
}
