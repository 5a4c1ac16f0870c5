import { UserFacingError } from '../domain/errors.js';
import type { Queryable } from '../storage/connect.js';
import { findSession, sessionSummary, sessionTimeline, sessionViewers } from '../storage/metrics-repo.js';
import type { SessionRef, SessionSummary, TimelineMinute } from './session-metrics.js';
import { writeViewerReports, type ReportSink } from './session-report.js';

/** Viewers read per query while a report is written: bounded memory, few round trips. */
export const VIEWER_CHUNK_SIZE = 1000;

export interface SessionOverview {
  summary: SessionSummary;
  timeline: TimelineMinute[];
}

/** The summary and timeline of one of the guild's sessions; a clear refusal when there is none. */
export async function loadSessionOverview(
  db: Queryable,
  guildId: string,
  ref: SessionRef,
): Promise<SessionOverview> {
  const session = await findSession(db, guildId, ref);
  if (!session) {
    throw new UserFacingError(
      'not_found',
      ref === 'latest'
        ? 'No live session has been recorded in this server yet.'
        : `There is no live session #${ref} in this server. /admin metrics sessions lists them.`,
    );
  }
  const [summary, timeline] = await Promise.all([sessionSummary(db, session), sessionTimeline(db, session)]);
  return { summary, timeline };
}

/** Writes the CSV and JSON through `sinks` and renders the timeline chart: the three report files. */
export async function exportSession(
  db: Queryable,
  overview: SessionOverview,
  sinks: { csv: ReportSink; json: ReportSink },
  onChunk?: (viewersInChunk: number) => void,
): Promise<{ viewers: number; chart: Buffer }> {
  const { summary, timeline } = overview;
  const { viewers } = await writeViewerReports(
    { summary, timeline, viewers: sessionViewers(db, summary.session, VIEWER_CHUNK_SIZE) },
    sinks,
    onChunk,
  );
  // Loaded on the first chart: @napi-rs/canvas (Skia) and chart.js cost ~25 MB of RSS in a bot that
  // may never render one (measured, bench/footprint.bench.ts).
  const { renderTimelineChart } = await import('./timeline-chart.js');
  return { viewers, chart: await renderTimelineChart(summary.session, timeline) };
}
