import { UserFacingError } from './errors.js';
import { UNKNOWN_ARTIST } from './link-titles.js';
import { parseArtistTitle, type Platform } from './links.js';
import { checkSongName } from './submission-text.js';

export interface SongName {
  artist: string;
  title: string;
}

/** The platforms that name a song from its link without an API key. */
export type NamingPlatform = Exclude<Platform, 'ditto'>;

/** Where each platform answers; tests point these at a local stand-in. */
export type LinkNameEndpoints = Record<NamingPlatform, string>;

export const PUBLIC_LINK_NAME_ENDPOINTS: LinkNameEndpoints = {
  soundcloud: 'https://soundcloud.com/oembed',
  spotify: 'https://open.spotify.com/oembed',
  youtube: 'https://www.youtube.com/oembed',
  deezer: 'https://api.deezer.com',
};

/** `https://www.deezer.com/track/3135556`, the normalized form `classifyLink` gives Deezer songs. */
const DEEZER_SONG = /^https:\/\/www\.deezer\.com\/(track|album)\/([0-9]+)$/;

/**
 * The address that names a song from its normalized link, or null when the platform has none:
 * Ditto pages have no public endpoint, and Deezer's API takes ids, which its short links hide.
 */
export function linkNameRequest(
  link: { url: string; platform: Platform },
  endpoints: LinkNameEndpoints,
): string | null {
  const url = encodeURIComponent(link.url);
  switch (link.platform) {
    case 'soundcloud':
      return `${endpoints.soundcloud}?format=json&url=${url}`;
    case 'spotify':
      return `${endpoints.spotify}?url=${url}`;
    case 'youtube':
      return `${endpoints.youtube}?format=json&url=${url}`;
    case 'deezer': {
      const match = DEEZER_SONG.exec(link.url);
      return match ? `${endpoints.deezer}/${match[1]}/${match[2]}` : null;
    }
    case 'ditto':
      return null;
  }
}

/**
 * Artist and title from a platform's answer, or null when it names no song we can show. The answer is
 * untrusted text, so both parts go through the same checks as names typed by a viewer.
 *
 * - SoundCloud's oEmbed title is "<track> by <uploader>", with the uploader in `author_name`.
 * - YouTube's title is the video's, often "Artist - Title (Official Video)"; otherwise the channel
 *   (`author_name`, "Artist - Topic" for YouTube Music's generated channels) is the artist.
 * - Spotify's oEmbed gives only the title, so the artist stays unknown.
 * - Deezer's API gives `title` and `artist.name`, and `{ "error": … }` with status 200 for a wrong id.
 */
export function songNameFromResponse(platform: NamingPlatform, body: unknown): SongName | null {
  if (typeof body !== 'object' || body === null) return null;
  const fields = body as Record<string, unknown>;
  const title = text(fields.title);
  if (title === null) return null;
  switch (platform) {
    case 'soundcloud': {
      const author = text(fields.author_name);
      const track =
        author !== null && title.endsWith(` by ${author}`) ? title.slice(0, -` by ${author}`.length) : title;
      return checked(parseArtistTitle(track) ?? (author !== null ? { artist: author, title: track } : null));
    }
    case 'youtube': {
      const channel = text(fields.author_name)?.replace(/ - Topic$/, '') ?? null;
      return checked(parseArtistTitle(title) ?? (channel !== null ? { artist: channel, title } : null));
    }
    case 'spotify':
      return checked({ artist: UNKNOWN_ARTIST, title });
    case 'deezer': {
      const artist = fields.artist;
      const name =
        typeof artist === 'object' && artist !== null ? text((artist as Record<string, unknown>).name) : null;
      return checked(name !== null ? { artist: name, title } : null);
    }
  }
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function checked(name: SongName | null): SongName | null {
  if (name === null) return null;
  try {
    return { artist: checkSongName('artist', name.artist), title: checkSongName('title', name.title) };
  } catch (error) {
    if (error instanceof UserFacingError) return null;
    throw error;
  }
}
