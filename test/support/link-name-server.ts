import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LinkNameEndpoints } from '../../src/domain/link-names.js';

/** What the stand-in answers for one song: a status and a body (JSON unless a string), maybe late. */
export interface StandInAnswer {
  status?: number;
  body: unknown;
  delayMs?: number;
}

/** One request the stand-in received: the endpoint (`youtube/oembed`, `deezer/track/1`) and its `url`. */
export interface StandInRequest {
  path: string;
  url: string | null;
}

/**
 * A local stand-in for the platforms' naming endpoints (SoundCloud, Spotify and YouTube oEmbed, the
 * Deezer API) on 127.0.0.1. Answers are keyed by the song: the oEmbed `url` parameter, or the Deezer
 * path (`track/3135556`); anything else is a 404 like the real ones give.
 */
export interface LinkNameServer {
  endpoints: LinkNameEndpoints;
  requests: StandInRequest[];
  answer(key: string, answer: StandInAnswer): void;
  close(): Promise<void>;
}

export async function startLinkNameServer(): Promise<LinkNameServer> {
  const answers = new Map<string, StandInAnswer>();
  const requests: StandInRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\//, '');
    const songUrl = url.searchParams.get('url');
    requests.push({ path, url: songUrl });
    const key = path.startsWith('deezer/') ? path.slice('deezer/'.length) : (songUrl ?? '');
    const found = answers.get(key);
    const send = () => {
      if (found === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      const body = typeof found.body === 'string' ? found.body : JSON.stringify(found.body);
      res.writeHead(found.status ?? 200, { 'content-type': 'application/json' }).end(body);
    };
    if (found?.delayMs !== undefined) setTimeout(send, found.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoints: {
      soundcloud: `${base}/soundcloud/oembed`,
      spotify: `${base}/spotify/oembed`,
      youtube: `${base}/youtube/oembed`,
      deezer: `${base}/deezer`,
    },
    requests,
    answer(key, answer) {
      answers.set(key, answer);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
