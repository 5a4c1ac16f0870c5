import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { exportSession, loadSessionOverview } from '../analytics/export-session.js';
import { parseSessionRef, type SessionRef } from '../analytics/session-metrics.js';
import { reportFileNames, type ReportSink } from '../analytics/session-report.js';
import { runWithDatabase, UsageError } from './run-cli.js';

interface ExportArgs {
  guildId: string;
  session: SessionRef;
  outDir: string;
}

function parseExportArgs(argv: string[]): ExportArgs {
  let values: { guild?: string; session?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { guild: { type: 'string' }, session: { type: 'string' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const missing = (['guild', 'session', 'out'] as const).filter((k) => !values[k]);
  if (missing.length) throw new UsageError(`Missing ${missing.map((k) => `--${k}`).join(', ')}.`);
  if (!/^\d{17,20}$/.test(values.guild!)) throw new UsageError('--guild must be a Discord server id.');
  const session = parseSessionRef(values.session!);
  if (session === null) throw new UsageError('--session must be a session id (a number) or latest.');
  return { guildId: values.guild!, session, outDir: path.resolve(values.out!) };
}

/**
 * A file written through a `.part` name and renamed when complete, so an interrupted export never
 * leaves a truncated file under the final name. Writes wait for the stream to drain.
 */
function fileSink(file: string): ReportSink & { commit(): Promise<void> } {
  const partial = `${file}.part`;
  const stream = fs.createWriteStream(partial, { encoding: 'utf8' });
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async commit() {
      stream.end();
      await finished(stream);
      await fs.promises.rename(partial, file);
    },
  };
}

/** `music-review-bot export`: one session's CSVs, JSON and chart, written whole or not at all. */
export async function run(argv: string[]): Promise<void> {
  const { guildId, session, outDir } = parseExportArgs(argv);
  await runWithDatabase(async (database) => {
    const overview = await loadSessionOverview(database.db, guildId, session);
    const id = overview.summary.session.id;
    const names = reportFileNames(id);
    await fs.promises.mkdir(outDir, { recursive: true });
    const csv = fileSink(path.join(outDir, names.csv));
    const json = fileSink(path.join(outDir, names.json));
    // Drawn on stderr, and only on a terminal: piped output stays clean.
    const bar = new SingleBar(
      { format: 'Viewers {bar} {value}/{total} · {percentage}%' },
      Presets.shades_classic,
    );
    bar.start(overview.summary.uniqueViewers, 0);
    let result;
    try {
      result = await exportSession(database.db, overview, { csv, json }, (n) => bar.increment(n));
    } finally {
      bar.stop();
    }
    await Promise.all([csv.commit(), json.commit()]);
    await fs.promises.writeFile(path.join(outDir, names.chart), result.chart);
    await fs.promises.writeFile(path.join(outDir, names.reviewsCsv), result.reviewsCsv);
    console.log(
      `Session #${id}: wrote ${names.csv}, ${names.json}, ${names.reviewsCsv} and ${names.chart} to ${outDir} (${result.viewers} viewers, ${overview.reviews.length} reviews).`,
    );
  });
}
