import { afterEach, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { TikTokLiveSource, type TikTokLiveSourceOptions } from '../../src/tiktok/connection.js';
import { startHttpConnectProxy, startSocks5Proxy, type LocalProxy } from '../support/tiktok/local-proxies.js';
import { chat, startLocalWebcast, type LocalWebcast } from '../support/tiktok/local-webcast.js';
import { SourceRecorder } from '../support/tiktok/source-recorder.js';

/**
 * TIKTOK_PROXY_URL and TIKTOK_SESSION_ID as the real tiktok-live-connector uses them: the settings are
 * loaded by the config, handed to a TikTokLiveSource as the tiktok module does, and the local webcast
 * and local proxies see what the library actually sent. No request leaves the machine.
 */

const alice = { userId: '6812345678901234567', handle: 'alice.sings', nickname: 'Alice' };
const SESSION_ID = '5e55c0ffee5e55c0ffee5e55c0ffee42';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function webcastAndProxy(start: () => Promise<LocalProxy>): Promise<[LocalWebcast, LocalProxy]> {
  const webcast = await startLocalWebcast();
  cleanups.push(() => webcast.close());
  const proxy = await start();
  cleanups.push(() => proxy.close());
  return [webcast, proxy];
}

/** A source built from environment settings, as GuildLive builds it from the config. */
function sourceFromSettings(
  webcast: LocalWebcast,
  env: NodeJS.ProcessEnv,
  extra: Partial<TikTokLiveSourceOptions> = {},
) {
  const config = loadConfig(env);
  const source = new TikTokLiveSource(webcast.handle, {
    ...webcast.connectionOptions,
    proxyUrl: config.tiktokProxyUrl,
    session: config.tiktokSession,
    backoff: { minMs: 20, maxMs: 50 },
    ...extra,
  });
  const recorder = new SourceRecorder(source);
  cleanups.push(() => source.stop());
  return { source, recorder };
}

for (const [kind, start] of [
  ['an HTTP proxy (CONNECT)', startHttpConnectProxy],
  ['a SOCKS5 proxy', startSocks5Proxy],
] as const) {
  test(`with TIKTOK_PROXY_URL set to ${kind}, TikTok's requests and the live WebSocket go through it`, async () => {
    const [webcast, proxy] = await webcastAndProxy(start);
    const { source, recorder } = sourceFromSettings(webcast, { TIKTOK_PROXY_URL: proxy.url });
    source.start();
    await recorder.nextState('live');
    const received = recorder.nextEvents(1);
    await webcast.push([chat({ ...alice, text: 'through the proxy' })]);
    expect(await received).toMatchObject([{ kind: 'comment', text: 'through the proxy' }]);

    // The page, room info and the WebSocket each opened a tunnel to the webcast; none went around it.
    // One tunnel to the webcast per request to TikTok: the live page, room info and the WebSocket.
    // The sign server (here on the same host) is reached directly, so it opened none.
    const toTikTok = webcast.requests.filter((r) => !r.url.startsWith('/webcast/rooms/'));
    expect(toTikTok.map((r) => r.kind)).toEqual(['http', 'http', 'websocket']);
    expect(proxy.tunnels).toEqual(toTikTok.map(() => webcast.host));
  });
}

test('without TIKTOK_PROXY_URL nothing goes through a proxy', async () => {
  const [webcast, proxy] = await webcastAndProxy(startHttpConnectProxy);
  const { source, recorder } = sourceFromSettings(webcast, {});
  source.start();
  await recorder.nextState('live');
  expect(proxy.tunnels).toEqual([]);
});

test('TIKTOK_SESSION_ID is sent to TikTok as the login cookies, and not to the sign server', async () => {
  const webcast = await startLocalWebcast();
  cleanups.push(() => webcast.close());
  const { source, recorder } = sourceFromSettings(webcast, {
    TIKTOK_SESSION_ID: SESSION_ID,
    TIKTOK_TARGET_IDC: 'useast2a',
  });
  source.start();
  await recorder.nextState('live');

  const roomInfo = webcast.requests.find((r) => r.url.startsWith('/webcast/room/info/'));
  expect(roomInfo?.headers.cookie).toContain(`sessionid=${SESSION_ID}`);
  expect(roomInfo?.headers.cookie).toContain('tt-target-idc=useast2a');
  const sign = webcast.requests.filter((r) => r.url.startsWith('/webcast/rooms/'));
  expect(sign).toHaveLength(1);
  expect(JSON.stringify(sign)).not.toContain(SESSION_ID);
});

test('the session id never appears in the logs, even at trace level through drops and reconnects', async () => {
  const webcast = await startLocalWebcast();
  cleanups.push(() => webcast.close());
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  const env = { TIKTOK_SESSION_ID: SESSION_ID, TIKTOK_PROXY_URL: 'http://user:proxy-pass-value@127.0.0.1:9' };
  const config = loadConfig(env);
  logger.info({ config }, 'starting');
  const { source, recorder } = sourceFromSettings(webcast, { TIKTOK_SESSION_ID: SESSION_ID }, { logger });
  source.start();
  await recorder.nextState('live');
  webcast.dropConnections();
  await recorder.waitFor('live again', () => recorder.states().filter((s) => s.type === 'live').length === 2);
  await source.stop();

  const log = lines.join('');
  expect(log).toContain('tiktok live reconnecting'); // the source did log, at every level
  expect(log).toContain('[redacted]');
  expect(log).not.toContain(SESSION_ID);
  expect(log).not.toContain('proxy-pass-value');
});
