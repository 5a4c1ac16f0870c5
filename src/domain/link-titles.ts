import type { Platform } from './links.js';

const PLATFORM_NAMES: Record<Platform, string> = {
  soundcloud: 'SoundCloud',
  spotify: 'Spotify',
  youtube: 'YouTube',
  deezer: 'Deezer',
  ditto: 'Ditto',
};

/** The artist of a pasted link when nothing names it. */
export const UNKNOWN_ARTIST = 'Unknown artist';

/** A URL path segment as text; a malformed %-escape (`a%zz`) is kept as written rather than thrown. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function words(slug: string): string {
  return decodeSegment(slug).replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 100);
}

/**
 * Artist and title for a link pasted without "Artist - Title": SoundCloud URLs name both
 * (`/artist/track`); other platforms only carry ids, so the song is labelled by its platform.
 */
export function artistTitleFromLink(url: string, platform: Platform): { artist: string; title: string } {
  const parsed = new URL(url);
  if (platform === 'soundcloud' && parsed.hostname === 'soundcloud.com') {
    const [artist, track] = parsed.pathname.split('/').filter(Boolean);
    if (artist && track) {
      const a = words(artist);
      const t = words(track);
      if (a && t) return { artist: a, title: t };
    }
  }
  return { artist: UNKNOWN_ARTIST, title: `${PLATFORM_NAMES[platform]} link` };
}

export function platformName(platform: string): string {
  return PLATFORM_NAMES[platform as Platform] ?? platform;
}
