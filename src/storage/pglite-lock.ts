import fs from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/**
 * A lock file that names no pid cannot come from a live acquire (the pid is written before the file
 * appears), so after this long it is debris and may be taken over.
 */
const UNNAMED_LOCK_GRACE_MS = 60_000;

/** A takeover guard older than this was left by a process killed while holding it. */
const GUARD_GRACE_MS = 10_000;

/** acquireDataDirLock is synchronous; a short blocking wait while another process holds the guard keeps it so. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Lock files this process holds. Our own pid in a lock we don't hold is a previous run's: in a
 * container the bot is pid 1 every time, so after a kill -9 it would otherwise never start again.
 */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * PGlite serves one process: a second process opening the same directory silently loses its
 * committed writes. A lock file holding our pid refuses a second instance; a lock left by a dead
 * process (kill -9) is taken over.
 */
export function acquireDataDirLock(dir: string): () => void {
  // Beside the directory, not in it: initdb wants an empty directory.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const lockPath = `${dir}.lock`;
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 100; attempt++) {
    if (linkLock(lockPath, mine)) {
      heldHere.add(lockPath);
      return () => {
        heldHere.delete(lockPath);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === mine) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    }
    const seen = readLock(lockPath);
    if (seen === null) continue;
    refuseIfHeld(dir, lockPath, seen);
    if (!takeOver(lockPath, seen.text)) pause(5);
  }
  throw new DataDirLockedError(`Could not lock the embedded database in ${dir}.`);
}

/**
 * Writes the pid under a private name, then links it into place: link() fails with EEXIST while the
 * lock is held, and no one ever reads a lock file before its pid is in it (a reader of an empty file
 * took it for stale, deleted it, and both processes ran).
 */
function linkLock(lockPath: string, pid: string): boolean {
  const draft = `${lockPath}.${pid}.tmp`;
  fs.writeFileSync(draft, pid);
  try {
    fs.linkSync(draft, lockPath);
    return true;
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return false;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

function readLock(lockPath: string): { text: string; ageMs: number } | null {
  try {
    const ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
    return { text: fs.readFileSync(lockPath, 'utf8'), ageMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function refuseIfHeld(dir: string, lockPath: string, seen: { text: string; ageMs: number }): void {
  const text = seen.text.trim();
  const holder = /^\d+$/.test(text) ? Number(text) : null;
  if (holder === process.pid) {
    if (!heldHere.has(lockPath)) return;
    throw new DataDirLockedError(`The embedded database in ${dir} is already open in this process.`);
  }
  const stop = 'Stop it first, or set DATABASE_URL to share a PostgreSQL server between processes.';
  if (holder !== null && isAlive(holder)) {
    throw new DataDirLockedError(
      `The embedded database in ${dir} is in use by another bot process (pid ${holder}). ${stop}`,
    );
  }
  if (holder === null && seen.ageMs < UNNAMED_LOCK_GRACE_MS) {
    throw new DataDirLockedError(
      `The embedded database in ${dir} is in use by another bot process (its lock ${lockPath} names no pid yet). ${stop}`,
    );
  }
}

/**
 * Deletes the dead lock under a short-lived guard lock, after checking again that it is still the
 * dead one: of two processes taking over at once, the second must not delete the fresh lock the
 * first linked meanwhile. (While the dead file is in place no one can link a fresh one, so "still
 * the same text" means "still dead".) Returns false when another process holds the guard.
 */
function takeOver(lockPath: string, deadText: string): boolean {
  const guard = `${lockPath}.takeover`;
  if (!linkLock(guard, String(process.pid))) {
    // The guard is held for a few system calls; an old one was left by a process killed inside.
    const held = readLock(guard);
    if (held && held.ageMs > GUARD_GRACE_MS) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    if (readLock(lockPath)?.text === deadText) fs.unlinkSync(lockPath);
  } finally {
    fs.rmSync(guard, { force: true });
  }
  return true;
}
