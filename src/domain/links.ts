export type Platform = 'soundcloud' | 'spotify' | 'youtube' | 'deezer' | 'ditto';

export type LinkRefusalCode = 'apple_link' | 'unsupported_link' | 'invalid_link';

export type LinkClassification =
  { ok: true; platform: Platform; url: string } | { ok: false; code: LinkRefusalCode; message: string };

export const ACCEPTED_PLATFORMS_TEXT = 'Spotify, SoundCloud, YouTube, Deezer or Ditto';

/** Longer "links" are not songs but noise or an attack on the parser; browsers cap around here too. */
export const MAX_LINK_LENGTH = 2048;

const PLATFORM_LABELS: Record<Platform, string> = {
  soundcloud: 'SoundCloud',
  spotify: 'Spotify',
  youtube: 'YouTube',
  deezer: 'Deezer',
  ditto: 'Ditto',
};

const MESSAGES = {
  invalid: `That isn't a usable link; paste the song's plain https:// link from ${ACCEPTED_PLATFORMS_TEXT}.`,
  unsupported: `Links from that site aren't accepted; send a ${ACCEPTED_PLATFORMS_TEXT} link to your song.`,
  apple: `Apple Music links can't be played on stream; send a ${ACCEPTED_PLATFORMS_TEXT} link instead.`,
  notASong: (platform: Platform) =>
    `That ${PLATFORM_LABELS[platform]} link doesn't point to a song; open the song and copy its share link.`,
};

interface HostRule {
  platform: Platform;
  /** Hosts matched exactly (after the URL parser lowercased them). */
  hosts: readonly string[];
  /** Domains matched together with every subdomain, for services that mint one host per link. */
  domains?: readonly string[];
  /** The normalized URL when the link points to a song, null when it is a home page, profile, search… */
  songUrl: (url: URL, segments: readonly string[]) => string | null;
}

/** Apple's hosts: recognised only to explain the refusal, since the stream can't play Apple Music. */
const APPLE_HOSTS = ['apple.co'];
const APPLE_DOMAINS = ['music.apple.com', 'itunes.apple.com'];

const SPOTIFY_ID = /^[A-Za-z0-9]{22}$/;
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const SHORT_CODE = /^[A-Za-z0-9_-]+$/;
/** Spotify prefixes localized pages with `/intl-de/`, `/intl-pt/`…; Deezer with `/en/`, `/fr/`… */
const SPOTIFY_LOCALE = /^intl-[a-z]{2}(-[a-z]{2})?$/i;
const DEEZER_LOCALE = /^[a-z]{2}(-[a-z]{2})?$/i;
const DEEZER_ID = /^[0-9]+$/;
/** Paths whose second segment is a video id: Shorts, a (past) live stream, the embed players. */
const YOUTUBE_VIDEO_PATHS = new Set(['shorts', 'live', 'embed', 'v']);
/** `spotify:track:<id>`, the URI the desktop app copies (Share → Copy Spotify URI, with Alt held). */
const SPOTIFY_URI = /^spotify:([a-z]+):([A-Za-z0-9]+)$/i;

/** First path segments of soundcloud.com that are site pages, not artists. */
const SOUNDCLOUD_PAGES = new Set([
  'discover',
  'search',
  'stream',
  'upload',
  'you',
  'charts',
  'pages',
  'settings',
  'messages',
  'notifications',
  'people',
  'tags',
  'feed',
  'signin',
  'logout',
  'mobile',
  'imprint',
  'jobs',
  'terms-of-use',
]);
/** Second path segments that are tabs of an artist's profile (or their playlists), not a track. */
const SOUNDCLOUD_PROFILE_TABS = new Set([
  'sets',
  'tracks',
  'albums',
  'popular-tracks',
  'reposts',
  'likes',
  'followers',
  'following',
  'comments',
  'spotlight',
]);

/**
 * Spotify and Deezer put singles on album pages, so an album link is accepted as a song link; artist
 * pages, playlists and podcasts are not.
 */
const SONG_KINDS = new Set(['track', 'album']);

/**
 * Where each accepted platform's songs live. Canonical forms (one host, no locale, no tracking) make
 * the same song submitted from the app, the web and a phone compare equal.
 */
const HOST_RULES: readonly HostRule[] = [
  {
    platform: 'soundcloud',
    hosts: ['soundcloud.com', 'www.soundcloud.com', 'm.soundcloud.com'],
    songUrl: (_url, segs) => {
      const [artist, track, secret, ...rest] = segs;
      if (artist === undefined || track === undefined || rest.length > 0) return null;
      if (SOUNDCLOUD_PAGES.has(artist) || SOUNDCLOUD_PROFILE_TABS.has(track)) return null;
      // Private tracks carry their access token as a third segment: /artist/track/s-AbC123.
      if (secret !== undefined && !secret.startsWith('s-')) return null;
      return `https://soundcloud.com/${segs.join('/')}`;
    },
  },
  {
    // The app's share links: on.soundcloud.com today; soundcloud.app.goo.gl (Firebase Dynamic Links,
    // shut down in 2025 but still pasted from old posts) and snd.sc before that.
    platform: 'soundcloud',
    hosts: ['on.soundcloud.com', 'soundcloud.app.goo.gl', 'snd.sc'],
    songUrl: (url, segs) => shortLink(url, segs),
  },
  {
    // play.spotify.com is the web player's old host; /embed/ is the player other sites frame.
    platform: 'spotify',
    hosts: ['open.spotify.com', 'play.spotify.com'],
    songUrl: (_url, segs) => {
      const unlocalized = SPOTIFY_LOCALE.test(segs[0] ?? '') ? segs.slice(1) : segs;
      const [kind, id, ...rest] = unlocalized[0] === 'embed' ? unlocalized.slice(1) : unlocalized;
      return rest.length === 0 ? spotifySongUrl(kind, id) : null;
    },
  },
  {
    // spotify.link today; spotify.app.link (Branch) in older shares.
    platform: 'spotify',
    hosts: ['spotify.link', 'spotify.app.link'],
    songUrl: (url, segs) => shortLink(url, segs),
  },
  {
    platform: 'youtube',
    hosts: ['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com'],
    songUrl: (url, segs) => {
      if (segs.length === 1 && segs[0] === 'watch') return youtubeWatchUrl(url.searchParams.get('v'));
      if (segs.length === 2 && YOUTUBE_VIDEO_PATHS.has(segs[0] ?? '')) return youtubeWatchUrl(segs[1]);
      return null;
    },
  },
  {
    // The privacy-enhanced embed player other sites use.
    platform: 'youtube',
    hosts: ['youtube-nocookie.com', 'www.youtube-nocookie.com'],
    songUrl: (_url, segs) => (segs.length === 2 && segs[0] === 'embed' ? youtubeWatchUrl(segs[1]) : null),
  },
  {
    platform: 'youtube',
    hosts: ['youtu.be'],
    songUrl: (_url, segs) => (segs.length === 1 ? youtubeWatchUrl(segs[0]) : null),
  },
  {
    platform: 'deezer',
    hosts: ['deezer.com', 'www.deezer.com'],
    songUrl: (_url, segs) => {
      const [kind, id, ...rest] = DEEZER_LOCALE.test(segs[0] ?? '') ? segs.slice(1) : segs;
      if (kind === undefined || !SONG_KINDS.has(kind) || !DEEZER_ID.test(id ?? '') || rest.length > 0) {
        return null;
      }
      return `https://www.deezer.com/${kind}/${id}`;
    },
  },
  {
    platform: 'deezer',
    // link.deezer.com/s/… today; deezer.page.link and dzr.page.link (Firebase) in older shares.
    hosts: ['link.deezer.com', 'deezer.page.link', 'dzr.page.link'],
    songUrl: (url, segs) => shortLink(url, segs),
  },
  {
    platform: 'ditto',
    hosts: ['ditto.fm', 'www.ditto.fm'],
    songUrl: (url, segs) => (segs.length > 0 ? withSafeQuery(url, segs) : null),
  },
  {
    // Ditto smart links may live on their own subdomain (release.ditto.fm), whose root is the song page.
    platform: 'ditto',
    hosts: [],
    domains: ['ditto.fm'],
    songUrl: (url, segs) => withSafeQuery(url, segs),
  },
];

/**
 * Decides whether a pasted link is a song the stream can play, and returns it in a normalized form
 * (https, canonical host, no fragment, no tracking parameters) so duplicates compare equal.
 * Security rests on exact host matching after WHATWG parsing: look-alike hosts, IP addresses,
 * internationalized (punycode) hosts, credentials and unusual ports never match.
 */
export function classifyLink(raw: string): LinkClassification {
  const text = raw.trim().replace(/^<(.*)>$/s, '$1');
  if (text.length === 0 || text.length > MAX_LINK_LENGTH) return refuse('invalid_link', MESSAGES.invalid);

  const spotifyUri = SPOTIFY_URI.exec(text);
  if (spotifyUri) {
    const song = spotifySongUrl(spotifyUri[1]?.toLowerCase(), spotifyUri[2]);
    if (song === null) return refuse('invalid_link', MESSAGES.notASong('spotify'));
    return { ok: true, platform: 'spotify', url: song };
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('invalid_link', MESSAGES.invalid);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('invalid_link', MESSAGES.invalid);
  // The parser already drops a default port (:443 on https), so any port left is unusual.
  if (url.username !== '' || url.password !== '' || url.port !== '') {
    return refuse('invalid_link', MESSAGES.invalid);
  }

  const host = url.hostname;
  if (host.split('.').some((label) => label.startsWith('xn--'))) {
    return refuse('unsupported_link', MESSAGES.unsupported);
  }
  if (matchesHost(host, APPLE_HOSTS, APPLE_DOMAINS)) return refuse('apple_link', MESSAGES.apple);

  const rule = HOST_RULES.find((r) => matchesHost(host, r.hosts, r.domains ?? []));
  if (rule === undefined) return refuse('unsupported_link', MESSAGES.unsupported);

  const segments = url.pathname.split('/').filter((s) => s !== '');
  const song = rule.songUrl(url, segments);
  if (song === null) return refuse('invalid_link', MESSAGES.notASong(rule.platform));
  return { ok: true, platform: rule.platform, url: song };
}

/**
 * The labels in front of an allowed domain, each a DNS name label (letters, digits, inner hyphens).
 * The URL parser keeps hosts like `.ditto.fm` (from `%2editto.fm` or a full-width dot) and
 * `_www.ditto.fm`, which are no one's subdomain.
 */
const SUBDOMAIN_LABELS = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+$/;

function matchesHost(host: string, hosts: readonly string[], domains: readonly string[]): boolean {
  return (
    hosts.includes(host) ||
    domains.some(
      (d) => host === d || (host.endsWith(`.${d}`) && SUBDOMAIN_LABELS.test(host.slice(0, -d.length))),
    )
  );
}

function refuse(code: LinkRefusalCode, message: string): LinkClassification {
  return { ok: false, code, message };
}

function spotifySongUrl(kind: string | undefined, id: string | undefined): string | null {
  if (kind === undefined || !SONG_KINDS.has(kind) || !SPOTIFY_ID.test(id ?? '')) return null;
  return `https://open.spotify.com/${kind}/${id}`;
}

function youtubeWatchUrl(id: string | null | undefined): string | null {
  return id != null && YOUTUBE_ID.test(id) ? `https://www.youtube.com/watch?v=${id}` : null;
}

/** A redirecting short link (`/<code>`, Deezer's `/s/<code>`): the code is the song. */
function shortLink(url: URL, segs: readonly string[]): string | null {
  if (segs.length === 0 || segs.length > 2 || !segs.every((s) => SHORT_CODE.test(s))) return null;
  return withSafeQuery(url, segs);
}

/** Parameters that only say where a link was shared from; everything else might address the song. */
const TRACKING_PARAMS = new Set(['si', 'feature', 'fbclid', 'gclid', 'igshid', 'igsh', 'mc_cid', 'mc_eid']);

function isTrackingParam(name: string): boolean {
  return TRACKING_PARAMS.has(name) || name.startsWith('utm_');
}

/** For hosts whose query we don't know: keep the link as given, minus tracking and fragment. */
function withSafeQuery(url: URL, segs: readonly string[]): string {
  const kept = new URLSearchParams([...url.searchParams].filter(([name]) => !isTrackingParam(name)));
  const query = kept.size > 0 ? `?${kept.toString()}` : '';
  return `https://${url.hostname}/${segs.join('/')}${query}`;
}

/**
 * A link runs until whitespace or a character that can't appear unescaped in one (Discord's `<…>`).
 * Spotify URIs count too: they are what the desktop app copies.
 */
const LINK_PATTERN = /\bhttps?:\/\/[^\s<>"`|]+|\bspotify:[a-z]+:[A-Za-z0-9]+/gi;

/** Pulls at most `max` distinct http(s) links out of a message, in order, skipping absurdly long ones. */
export function extractLinks(text: string, max = 5): string[] {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`max must be a non-negative integer`);
  const links: string[] = [];
  for (const match of text.matchAll(LINK_PATTERN)) {
    if (links.length >= max) break;
    const link = trimTrailingPunctuation(match[0]);
    if (link.length <= MAX_LINK_LENGTH && !links.includes(link)) links.push(link);
  }
  return links;
}

const TRAILING_PUNCTUATION = ".,;:!?*_~'";

/**
 * Drops sentence punctuation and Markdown after a link (`see https://x.com/a.`, `[song](https://…)`);
 * a closing bracket stays when it closes one opened inside the link.
 */
function trimTrailingPunctuation(link: string): string {
  let unmatchedParens = occurrences(link, ')') - occurrences(link, '(');
  let unmatchedBrackets = occurrences(link, ']') - occurrences(link, '[');
  let end = link.length;
  for (; end > 0; end -= 1) {
    const last = link.charAt(end - 1);
    if (last === ')' && unmatchedParens > 0) unmatchedParens -= 1;
    else if (last === ']' && unmatchedBrackets > 0) unmatchedBrackets -= 1;
    else if (!TRAILING_PUNCTUATION.includes(last)) break;
  }
  return link.slice(0, end);
}

function occurrences(text: string, char: string): number {
  return text.split(char).length - 1;
}

const ARTIST_TITLE_MAX = 100;

/**
 * Reads `Artist - Title` (or with an en/em dash) from a submission message, ignoring the links in it.
 * A hyphen needs spaces around it so names like "Jay-Z" stay whole; the first separator splits, so
 * titles may contain more ("Artist - Song - Remix"). The first line that fits wins.
 */
export function parseArtistTitle(text: string): { artist: string; title: string } | null {
  const withoutLinks = text.replace(/<?\bhttps?:\/\/\S*>?/gi, ' ');
  for (const line of withoutLinks.split(/\r?\n/)) {
    // Collapsing whitespace first keeps the pattern below linear on hostile input.
    const match = /^(.+?)(?: - | ?[–—] ?)(.+)$/u.exec(line.replace(/\s+/g, ' ').trim());
    const artist = match?.[1]?.trim();
    const title = match?.[2]?.trim();
    if (artist !== undefined && title !== undefined && fitsName(artist) && fitsName(title)) {
      return { artist, title };
    }
  }
  return null;
}

function fitsName(part: string): boolean {
  const length = [...part].length;
  return length >= 1 && length <= ARTIST_TITLE_MAX;
}
