import type { RelationsDone } from '../sinks/target.js';
import type { RequestEvent } from '../source/request-executor.js';
import type { StreamSummary } from '../summary/run-summary.js';

/** What a run reports as it goes; the progress reporters turn these into output. */
export interface RunEvents {
  /** The run is recorded in pdsync.runs under this id: the first line of its output names it. */
  runStarted(runId: string, streams: number): void;
  streamStarted(stream: string, detail: string): void;
  /** Cumulative rows and pages read by a stream. */
  rowsRead(stream: string, rows: number, pages: number): void;
  /** Rows the stream will read in all, once every window has been counted. */
  totalKnown(stream: string, total: number): void;
  /** A windowed stream knows how many windows it reads in this run. */
  windowsKnown(stream: string, windows: number): void;
  windowDone(stream: string, since: Date, until: Date, rows: number): void;
  /** A child stream knows how many parent records it is read for (one request, or more, each). */
  parentsKnown(stream: string, parentStream: string, parents: number): void;
  /** A child stream has read the children of one more parent record. */
  parentDone(stream: string): void;
  /** Records changed since the cursor, found through another stream (incidents through log entries). */
  changesFound(stream: string, feed: string, records: number): void;
  request(stream: string, e: RequestEvent): void;
  notice(stream: string, line: string): void;
  streamFinished(summary: StreamSummary): void;
  /** The analytics relations made whole or kept by change after the streams, and those that failed. */
  relationsDone(done: RelationsDone): void;
}
