import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function postgresBin(): Promise<string> {
  const versions = (await fs.readdir('/usr/lib/postgresql')).sort();
  const latest = versions.at(-1);
  if (!latest) throw new Error('no PostgreSQL installation under /usr/lib/postgresql');
  return path.join('/usr/lib/postgresql', latest, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A PostgreSQL cluster of the test's own (own port, own data directory) that the test may stop and
 * start at will, so outages never touch the shared server. PostgreSQL refuses to run as root, so
 * as root its commands run as the `postgres` user.
 */
export class ThrowawayCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<ThrowawayCluster> {
    const bin = await postgresBin();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pg-'));
    if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', dir]);
    const cluster = new ThrowawayCluster(dir, await freePort(), bin);
    await cluster.pg('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const exe = path.join(this.bin, tool);
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', exe, ...args]);
    else await run(exe, args);
  }

  async start(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dir,
      '-w',
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** `immediate` is a crash from the clients' point of view: connections drop without goodbye. */
  async stop(mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dir, '-w', '-m', mode, 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => {});
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
