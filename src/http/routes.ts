import type { IncomingHttpHeaders } from 'node:http';

/** A request as a route sees it: the body is read (up to the route's limit) before the route runs. */
export interface HttpRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Larger bodies are refused with 413 before the route runs. Default 64 KB. */
  maxBodyBytes?: number;
  handle(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * The routes one bot serves, contributed by its feature modules (the webhook today, overlay pages
 * later). A module adds its routes when it starts and removes them when it stops, so an unloaded
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

  find(path: string): HttpRoute[] {
    return [...this.#routes].filter((r) => r.path === path);
  }
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
