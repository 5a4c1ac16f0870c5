import {
  linkNameRequest,
  PUBLIC_LINK_NAME_ENDPOINTS,
  songNameFromResponse,
  type LinkNameEndpoints,
  type LinkNameRequest,
  type SongName,
} from '../../domain/link-names.js';
import type { Platform } from '../../domain/links.js';
import type { Logger } from '../../logging/logger.js';

export interface LinkNameOptions {
  /** The platforms' endpoints; tests point them at a local stand-in. */
  endpoints?: Partial<LinkNameEndpoints>;
  /** How long a lookup may take in all before the submission goes ahead without it. */
  timeoutMs?: number;
  /** How long an answer is reused; songs are rarely renamed. */
  cacheTtlMs?: number;
  /** How many links' answers are kept (the least recently used go first). */
  cacheSize?: number;
  /** How many lookups may run at once; a link pasted beyond that is named from itself. */
  maxInFlight?: number;
}

/**
 * A viewer waits for the reply; oEmbed answers in 100–400 ms, so 1.5 s leaves room for a slow
 * platform without making the queue feel stuck.
 */
export const LINK_NAME_TIMEOUT_MS = 1_500;
const CACHE_TTL_MS = 6 * 60 * 60 * 1_000;
const CACHE_SIZE = 500;
/** oEmbed answers are a few KiB; a larger body is not one. */
const MAX_BODY_BYTES = 64 * 1024;
/** A flood of distinct links must not turn the bot into a crawler of the platforms. */
const MAX_IN_FLIGHT = 8;

interface CacheEntry {
  name: Promise<SongName | null>;
  expiresAt: number;
}

/** An answer worth remembering, or a passing failure (timeout, network, 5xx) to retry next time. */
type Outcome = { name: SongName | null; lasting: boolean };

/**
 * Names a pasted link from its platform's keyless endpoint (see `domain/link-names.ts`), with a
 * deadline and an in-memory LRU cache. It never throws: any failure is null, and the caller keeps
 * today's name ("Unknown artist – Spotify link").
 */
export class LinkNameLookup {
  private readonly endpoints: LinkNameEndpoints;
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly cacheSize: number;
  private readonly maxInFlight: number;
  private readonly cache = new Map<string, CacheEntry>();
  private inFlight = 0;

  constructor(
    options: LinkNameOptions,
    private readonly logger: Logger,
  ) {
    this.endpoints = { ...PUBLIC_LINK_NAME_ENDPOINTS, ...options.endpoints };
    this.timeoutMs = options.timeoutMs ?? LINK_NAME_TIMEOUT_MS;
    this.cacheTtlMs = options.cacheTtlMs ?? CACHE_TTL_MS;
    this.cacheSize = options.cacheSize ?? CACHE_SIZE;
    this.maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  }

  async nameOf(link: { url: string; platform: Platform }): Promise<SongName | null> {
    const request = linkNameRequest(link, this.endpoints);
    if (request === null) return null;
    const key = request.url;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expiresAt > now) {
      // Re-inserting moves the entry to the end: Map keeps insertion order, so the first is the oldest.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached.name;
    }
    if (this.inFlight >= this.maxInFlight) return null;
    this.inFlight += 1;
    const outcome = this.fetchName(request).finally(() => {
      this.inFlight -= 1;
    });
    // The pending answer is cached too, so the same link pasted twice at once is asked about once.
    const name = outcome.then((o) => o.name);
    this.remember(key, { name, expiresAt: now + this.cacheTtlMs });
    void outcome.then((o) => {
      if (!o.lasting && this.cache.get(key)?.name === name) this.cache.delete(key);
    });
    return name;
  }

  clear(): void {
    this.cache.clear();
  }

  private remember(key: string, entry: CacheEntry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
  }

  private async fetchName({ url, platform }: LinkNameRequest): Promise<Outcome> {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) {
        await response.body?.cancel();
        // 4xx: the platform does not know the link (private, removed); that answer lasts.
        return { name: null, lasting: response.status < 500 };
      }
      const body = await readLimited(response, MAX_BODY_BYTES);
      const name = body === null ? null : songNameFromResponse(platform, parseJson(body));
      if (name === null)
        this.logger.debug({ platform, status: response.status }, 'link name: unusable answer');
      return { name, lasting: true };
    } catch (error) {
      this.logger.debug({ platform, err: error }, 'link name: lookup failed');
      return { name: null, lasting: false };
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The body as text, or null when it is larger than `max` bytes. */
async function readLimited(response: Response, max: number): Promise<string | null> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
