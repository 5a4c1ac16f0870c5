import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/storage/connect.js';
import { migrate } from '../../src/storage/migrate.js';
import { GUILD, OTHER_GUILD } from '../support/db/fixtures.js';
import { createPostgresDatabase } from '../support/db/test-database.js';
import { pngSize } from './png.js';
import { seedSession } from './session-fixture.js';

const run = promisify(execFile);

let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
let database: Database;
let sessionId: number;
let workDir: string;

beforeAll(async () => {
  created = await createPostgresDatabase();
  database = await connectDatabase({ databaseUrl: created.url });
  await migrate(database);
  sessionId = await seedSession(database.db, GUILD, OTHER_GUILD);
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mrb-export-'));
});
afterAll(async () => {
  await database?.close();
  await created?.drop();
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

/** `music-review-bot export`, started from the sources, against the throw-away database. */
async function exportCli(
  args: string[],
  databaseUrl = created.url,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/music-review-bot.ts', 'export', ...args],
      {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          DATA_DIR: path.join(workDir, 'data'),
          LOG_LEVEL: 'silent',
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('music-review-bot export', () => {
  it('writes the CSV, the JSON and the timeline chart of the session', async () => {
    const out = path.join(workDir, 'out');
    const result = await exportCli(['--guild', GUILD, '--session', 'latest', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Session #${sessionId}`);
    expect((await fs.readdir(out)).sort()).toEqual(
      [
        `session-${sessionId}-timeline.png`,
        `session-${sessionId}.csv`,
        `session-${sessionId}.json`,
        `session-${sessionId}-reviews.csv`,
      ].sort(),
    );
    const csv: Record<string, string>[] = parse(
      await fs.readFile(path.join(out, `session-${sessionId}.csv`)),
      {
        columns: true,
      },
    );
    expect(csv.reduce((sum, r) => sum + Number(r.tiktok_coins), 0)).toBe(901);
    const json = JSON.parse(await fs.readFile(path.join(out, `session-${sessionId}.json`), 'utf8'));
    expect(json.viewers).toHaveLength(4);
    const png = await fs.readFile(path.join(out, `session-${sessionId}-timeline.png`));
    expect(pngSize(png)).toEqual({ width: 1200, height: 600 });
  });

  it('explains its usage when an argument is missing or malformed, before touching the database', async () => {
    // Nothing listens on port 1: reaching the database would fail with a connection error instead.
    const unreachable = 'postgres://nobody@127.0.0.1:1/none';
    const missing = await exportCli(['--guild', GUILD], unreachable);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing --session, --out\.\nUsage: music-review-bot export --guild/);
    const malformed = await exportCli(
      ['--guild', GUILD, '--session', 'yesterday', '--out', workDir],
      unreachable,
    );
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--session must be a session id/);
  });

  it('fails with a readable line for a session the guild does not have', async () => {
    const result = await exportCli([
      '--guild',
      OTHER_GUILD,
      '--session',
      String(sessionId),
      '--out',
      workDir,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `There is no live session #${sessionId} in this server. /admin metrics sessions lists them.`,
    );
  });
});
