import type { ReviewEntry } from '../storage/review-history-repo.js';
import type { SessionSummary, TimelineMinute, ViewerTotals } from './session-metrics.js';
import { sessionJsonClosing, sessionJsonOpening, sessionJsonViewers } from './session-json.js';
import { viewerCsvHeader, viewerCsvRows } from './viewer-csv.js';

/** Where a report file goes: memory for a Discord upload, a file stream for the export CLI. */
export interface ReportSink {
  write(text: string): void | Promise<void>;
}

/** The four files of a session report, named the same by /admin metrics and the export CLI. */
export function reportFileNames(sessionId: number): {
  csv: string;
  json: string;
  chart: string;
  reviewsCsv: string;
} {
  return {
    csv: `session-${sessionId}.csv`,
    json: `session-${sessionId}.json`,
    chart: `session-${sessionId}-timeline.png`,
    reviewsCsv: `session-${sessionId}-reviews.csv`,
  };
}

/**
 * Writes the per-viewer CSV and the JSON document as viewer chunks arrive, so neither the bot nor the
 * CLI holds every viewer of a long live in memory at once. `onChunk` reports progress.
 */
export async function writeViewerReports(
  input: {
    summary: SessionSummary;
    timeline: readonly TimelineMinute[];
    reviews: readonly ReviewEntry[];
    viewers: AsyncIterable<readonly ViewerTotals[]>;
  },
  sinks: { csv: ReportSink; json: ReportSink },
  onChunk: (viewersInChunk: number) => void = () => {},
): Promise<{ viewers: number }> {
  await sinks.csv.write(viewerCsvHeader());
  await sinks.json.write(sessionJsonOpening(input.summary, input.timeline, input.reviews));
  let written = 0;
  for await (const chunk of input.viewers) {
    await sinks.csv.write(viewerCsvRows(chunk));
    await sinks.json.write(sessionJsonViewers(chunk, written === 0));
    written += chunk.length;
    onChunk(chunk.length);
  }
  await sinks.json.write(sessionJsonClosing(written > 0));
  return { viewers: written };
}

/** A sink that keeps what it is given, for files uploaded in one piece. */
export function memorySink(): ReportSink & { buffer(): Buffer } {
  const parts: string[] = [];
  return {
    write: (text) => void parts.push(text),
    buffer: () => Buffer.from(parts.join(''), 'utf8'),
  };
}
