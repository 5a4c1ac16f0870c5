import { UserFacingError } from '../domain/errors.js';
import type { Queryable } from '../storage/connect.js';
import { reviewsDuring, type ReviewEntry } from '../storage/review-history-repo.js';
import { findSession, sessionSummary, sessionTimeline, sessionViewers } from '../storage/metrics-repo.js';
import type { SessionRef, SessionSummary, TimelineMinute } from './session-metrics.js';
import { reviewCsv } from './review-export.js';
import { writeViewerReports, type ReportSink } from './session-report.js';

/** Viewers read per query while a report is written: bounded memory, few round trips. */
export const VIEWER_CHUNK_SIZE = 1000;

export interface SessionOverview {
  summary: SessionSummary;
  timeline: TimelineMinute[];
  /** Songs rated during the session, in the order rated. */
  reviews: ReviewEntry[];
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
  const [summary, timeline, reviews] = await Promise.all([
    sessionSummary(db, session),
    sessionTimeline(db, session),
    reviewsDuring(db, guildId, session.startedAt, session.endedAt ?? new Date()),
  ]);
  return { summary, timeline, reviews };
}

/**
 * Writes the viewer CSV and the JSON through `sinks`, renders the timeline chart and returns the
 * reviews CSV: the four report files.
 */
export async function exportSession(
  db: Queryable,
  overview: SessionOverview,
  sinks: { csv: ReportSink; json: ReportSink },
  onChunk?: (viewersInChunk: number) => void,
): Promise<{ viewers: number; chart: Buffer; reviewsCsv: string }> {
  const { summary, timeline, reviews } = overview;
  const { viewers } = await writeViewerReports(
    { summary, timeline, reviews, viewers: sessionViewers(db, summary.session, VIEWER_CHUNK_SIZE) },
    sinks,
    onChunk,
  );
  // Loaded on the first chart: @napi-rs/canvas (Skia) and chart.js cost ~25 MB of RSS in a bot that
  // may never render one (measured, bench/footprint.bench.ts).
  const { renderTimelineChart } = await import('./timeline-chart.js');
  return {
    viewers,
    chart: await renderTimelineChart(summary.session, timeline),
    reviewsCsv: reviewCsv(reviews),
  };
}
