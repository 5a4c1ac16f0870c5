import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/**
 * Proxies on 127.0.0.1 for TIKTOK_PROXY_URL tests: an HTTP proxy that answers CONNECT, and a SOCKS5
 * proxy (no authentication, CONNECT only). Each records the `host:port` of every tunnel it opened, so a
 * test sees which connections went through it.
 */
export type LocalProxy = { readonly url: string; readonly tunnels: string[]; close(): Promise<void> };

function tunnel(client: net.Socket, host: string, port: number, onOpen: () => void): void {
  const upstream = net.connect(port, host, () => {
    onOpen();
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const closeBoth = () => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', closeBoth);
  client.on('error', closeBoth);
  client.on('close', closeBoth);
}

async function listen(server: net.Server, scheme: string, tunnels: string[]): Promise<LocalProxy> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    tunnels,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startHttpConnectProxy(): Promise<LocalProxy> {
  const tunnels: string[] = [];
  const server = http.createServer((_req, res) => {
    res.statusCode = 405; // only CONNECT is proxied
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    const target = req.url ?? '';
    const [host, port] = target.split(':');
    tunnel(client, host!, Number(port), () => {
      tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    });
  });
  return listen(server, 'http', tunnels);
}

export async function startSocks5Proxy(): Promise<LocalProxy> {
  const tunnels: string[] = [];
  const server = net.createServer((client) => {
    client.once('data', (greeting: Buffer) => {
      if (greeting[0] !== 5) return client.destroy();
      client.write(Buffer.from([5, 0])); // version 5, no authentication
      client.once('data', (request: Buffer) => {
        // VER CMD RSV ATYP ADDR PORT; CONNECT only, to an IPv4 address (1) or a domain name (3).
        const atyp = request[3];
        let host: string;
        let rest: number;
        if (atyp === 1) {
          host = [...request.subarray(4, 8)].join('.');
          rest = 8;
        } else if (atyp === 3) {
          const length = request[4]!;
          host = request.subarray(5, 5 + length).toString();
          rest = 5 + length;
        } else return client.destroy();
        const port = request.readUInt16BE(rest);
        tunnel(client, host, port, () => {
          tunnels.push(`${host}:${port}`);
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        });
      });
    });
  });
  return listen(server, 'socks5', tunnels);
}
