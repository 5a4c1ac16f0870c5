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

/** Where to ask for a song's name, and whose answer it will be. */
export interface LinkNameRequest {
  platform: NamingPlatform;
  url: string;
}

/**
 * The request that names a song from its normalized link, or null when the platform has none:
 * Ditto pages have no public endpoint, and Deezer's API takes ids, which its short links hide.
 */
export function linkNameRequest(
  link: { url: string; platform: Platform },
  endpoints: LinkNameEndpoints,
): LinkNameRequest | null {
  const song = encodeURIComponent(link.url);
  switch (link.platform) {
    case 'soundcloud':
      return { platform: 'soundcloud', url: `${endpoints.soundcloud}?format=json&url=${song}` };
    case 'spotify':
      return { platform: 'spotify', url: `${endpoints.spotify}?url=${song}` };
    case 'youtube':
      return { platform: 'youtube', url: `${endpoints.youtube}?format=json&url=${song}` };
    case 'deezer': {
      const match = DEEZER_SONG.exec(link.url);
      return match ? { platform: 'deezer', url: `${endpoints.deezer}/${match[1]}/${match[2]}` } : null;
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
      const song = withoutVideoLabels(title);
      return checked(parseArtistTitle(song) ?? (channel !== null ? { artist: channel, title: song } : null));
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

/** "(Official Music Video)", "[Lyric Video]", "(Audio)", "(Visualizer)" at the end of a video title. */
const VIDEO_LABEL =
  /\s*[([](?:official\s+)?(?:music\s+|lyric\s+|hd\s+|4k\s+)?(?:video|audio|lyrics?|visuali[sz]er)(?:\s+hd)?[)\]]$/i;

function withoutVideoLabels(title: string): string {
  let song = title;
  for (let match = VIDEO_LABEL.exec(song); match !== null; match = VIDEO_LABEL.exec(song)) {
    song = song.slice(0, match.index);
  }
  return song === '' ? title : song;
}

/** Names are at most 100 characters; a field far longer is no name, and is not worth scanning. */
const MAX_FIELD_LENGTH = 1_000;

function text(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_FIELD_LENGTH) return null;
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
