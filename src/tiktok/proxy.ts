import type { Agent } from 'node:http';

/**
 * The agent that sends TikTok traffic through `proxyUrl` (http://, https:// or socks5://). One agent
 * serves both got (plain and TLS requests) and the push WebSocket: an HTTP proxy is asked to CONNECT,
 * which tunnels either kind, and a SOCKS proxy carries any TCP connection. Only the package the URL
 * needs is loaded, and only when a proxy is configured (each costs ~70–160 ms and tens of MB to load).
 */
export async function proxyAgent(proxyUrl: string): Promise<Agent> {
  const { protocol } = new URL(proxyUrl);
  if (protocol === 'socks5:' || protocol === 'socks5h:') {
    const { SocksProxyAgent } = await import('socks-proxy-agent');
    return new SocksProxyAgent(proxyUrl);
  }
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  return new HttpsProxyAgent(proxyUrl);
}
