import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CODE_VERSION_PARAM, type FreshImportData } from './fresh-import-hooks.js';
import type { ModuleFactory } from './module.js';

/** Where a feature module's code lives: the file exporting its factory, in a folder of its own. */
export interface ModuleCodeLocation {
  entry: URL;
  exportName: string;
}

/** The code a reload starts: new code, the code already running, or loaded code and why. */
export type NewestCode =
  | { kind: 'new'; factory: ModuleFactory; version: string }
  | { kind: 'unchanged' }
  | { kind: 'loaded'; reason: string };

/**
 * New code loads only from the built JavaScript (dist/). Under tsx (tests, running from the sources)
 * the files are TypeScript compiled by tsx's own loader, and this file's URL ends in `.ts`.
 */
const RUNS_FROM_BUILD = import.meta.url.endsWith('.js');
const execFileAsync = promisify(execFile);
/** Hooks are the process's, not one bot's: registered once, with the folders of FEATURE_MODULE_CODE. */
let hooksRegistered = false;

/**
 * Loads a feature module's code afresh from disk, the way discord.py reloads a cog. Node keeps
 * every module it imported for the life of the process, so each new version costs memory for good:
 * a version is named by a hash of the feature folder's files, and a reload whose files have not
 * changed reuses the code already running (bench/reload.bench.ts measures both).
 */
export class ModuleCode {
  /** Hash of each module's files as its running code was loaded. */
  private readonly running = new Map<string, string>();

  constructor(private readonly locations: ReadonlyMap<string, ModuleCodeLocation>) {}

  /** Notes the files each module started with, so a reload can tell whether they changed. */
  async noteStartedCode(): Promise<void> {
    if (!RUNS_FROM_BUILD) return;
    for (const [name, location] of this.locations) {
      this.running.set(name, await hashFolder(folderOf(location.entry)));
    }
  }

  /** The code a reload of `name` should start; throws when new code fails to import. */
  async newest(name: string): Promise<NewestCode> {
    if (!RUNS_FROM_BUILD)
      return { kind: 'loaded', reason: 'the bot runs from its sources rather than from a build' };
    const location = this.locations.get(name);
    if (!location) return { kind: 'loaded', reason: 'its code is not in a folder of its own' };
    const version = await hashFolder(folderOf(location.entry));
    if (version === this.running.get(name)) return { kind: 'unchanged' };
    this.registerHooks();
    const url = new URL(location.entry);
    url.searchParams.set(CODE_VERSION_PARAM, version);
    const exports = (await import(url.href).catch(async (error: unknown) => {
      const where = error instanceof SyntaxError ? await syntaxErrorAt(folderOf(location.entry)) : null;
      throw new Error(`could not import ${url.href}${where ? `\n${where}` : ''}`, { cause: error });
    })) as Record<string, unknown>;
    const factory = exports[location.exportName];
    if (typeof factory !== 'function')
      throw new Error(`${url.href} does not export a function ${location.exportName}`);
    return { kind: 'new', factory: () => (factory as ModuleFactory)(), version };
  }

  /** The new code started: it is now the running code that later reloads compare against. */
  adopt(name: string, version: string): void {
    this.running.set(name, version);
  }

  private registerHooks(): void {
    if (hooksRegistered) return;
    const data: FreshImportData = {
      folders: [...this.locations.values()].map((l) => new URL('./', l.entry).href),
    };
    register(new URL('./fresh-import-hooks.js', import.meta.url), { data });
    hooksRegistered = true;
  }
}

function folderOf(entry: URL): string {
  return path.dirname(fileURLToPath(entry));
}

/**
 * Node's SyntaxError from an import names no file; `node --check` on each file of the folder finds
 * the one at fault and prints its file, line and the code there, for the log.
 */
async function syntaxErrorAt(folder: string): Promise<string | null> {
  for (const file of await filesIn(folder)) {
    if (!file.endsWith('.js')) continue;
    const failure = await execFileAsync(process.execPath, ['--check', file]).then(
      () => null,
      (error: { stderr?: string }) => error.stderr ?? null,
    );
    if (failure) return failure.split('\n').slice(0, 3).join('\n');
  }
  return null;
}

async function filesIn(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((item) => item.isFile())
    .map((item) => path.join(item.parentPath, item.name))
    .sort();
}

/** One hash over every file in the folder (names and contents), in a stable order. */
async function hashFolder(folder: string): Promise<string> {
  const files = await filesIn(folder);
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(folder, file)).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
