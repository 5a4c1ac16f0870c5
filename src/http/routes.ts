import type { IncomingHttpHeaders } from 'node:http';

/** A request as a route sees it: the body is read (up to the route's limit) before the route runs. */
export interface HttpRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The `:name` segments of the route's path, decoded. */
  params: Readonly<Record<string, string>>;
  /** The peer's address (a reverse proxy's, when there is one): what rate limits count by. */
  remoteAddress: string;
}

export interface HttpResponse {
  status: number;
  /**
   * Sent as JSON unless it is a string or a Readable stream. A stream is piped until it ends (a
   * file, an event stream); it is destroyed when the client goes away.
   */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpRoute {
  method: 'GET' | 'POST';
  /** Exact path; a segment `:name` matches any one non-empty segment, passed in `params`. */
  path: string;
  /** Larger bodies are refused with 413 before the route runs. Default 64 KB. */
  maxBodyBytes?: number;
  handle(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * What every unknown path answers. Routes holding secrets in their path (page tokens, sign-in links)
 * answer a wrong secret with this very response, so a guess learns nothing.
 */
export const NOT_FOUND: HttpResponse = { status: 404, body: { error: 'not found' } };

/**
 * The routes one bot serves, contributed by its feature modules (the webhook, the overlay, studio and public
 * pages). A module adds its routes when it starts and removes them when it stops, so an unloaded
 * module's paths answer 404.
 */
export class HttpRoutes {
  readonly #routes = new Set<HttpRoute>();
  /** Where the server listens, once it does (`http://127.0.0.1:port`). */
  url: string | null = null;

  add(route: HttpRoute): () => void {
    this.#routes.add(route);
    return () => this.#routes.delete(route);
  }

  /** Every route whose path matches, with its params (several when the methods differ). */
  find(path: string): { route: HttpRoute; params: Record<string, string> }[] {
    return [...this.#routes].flatMap((route) => {
      const params = matchPath(route.path, path);
      return params ? [{ route, params }] : [];
    });
  }
}

function matchPath(pattern: string, path: string): Record<string, string> | null {
  if (!pattern.includes('/:')) return pattern === path ? {} : null;
  const expected = pattern.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of expected.entries()) {
    const given = actual[i] ?? '';
    if (segment.startsWith(':')) {
      if (given === '') return null;
      try {
        params[segment.slice(1)] = decodeURIComponent(given);
      } catch {
        return null;
      }
    } else if (segment !== given) return null;
  }
  return params;
}

const byBot = new WeakMap<object, HttpRoutes>();

/**
 * The route table of one bot, keyed by its BotContext: modules are built independently, and this is
 * how the HTTP module and the modules that serve pages meet without sharing global state.
 */
export function httpRoutesFor(bot: object): HttpRoutes {
  let routes = byBot.get(bot);
  if (!routes) {
    routes = new HttpRoutes();
    byBot.set(bot, routes);
  }
  return routes;
}
