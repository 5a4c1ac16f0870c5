import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';

/**
 * The agent that sends TikTok traffic through `proxyUrl` (http://, https:// or socks5://). One agent
 * serves both got (plain and TLS requests) and the push WebSocket: an HTTP proxy is asked to CONNECT,
 * which tunnels either kind, and a SOCKS proxy carries any TCP connection.
 */
export function proxyAgent(proxyUrl: string): Agent {
  const { protocol } = new URL(proxyUrl);
  return protocol === 'socks5:' || protocol === 'socks5h:'
    ? new SocksProxyAgent(proxyUrl)
    : new HttpsProxyAgent(proxyUrl);
}
