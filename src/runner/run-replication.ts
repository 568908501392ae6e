import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { ApiError } from '../errors.js';
import { incrementalSince, type Plan, type PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import type { PagerDutySource } from '../source/pagerduty-source.js';
import { classify } from '../source/response-classifier.js';
import { readStream } from '../source/stream-reader.js';
import type { RunSummary, StreamSummary } from '../summary/run-summary.js';
import type { PostgresTarget } from '../target/postgres-target.js';
import type { RunEvents } from './run-events.js';

export interface RunDeps {
  source: PagerDutySource;
  target: PostgresTarget;
  events: RunEvents;
  pageLimit: number;
  maxOffset: number;
  /** Streams loading side by side; the source's limiter bounds their requests together. */
  parallelStreams: number;
  /** `--limit`: rows per stream, for a trial. Such a run saves no cursor. */
  rowLimit?: number;
  /** Aborted by SIGINT/SIGTERM: no new requests, open loads roll back. */
  signal: AbortSignal;
}

/** Runs every planned stream; one stream failing does not stop the others. */
export async function runReplication(plan: Plan, deps: RunDeps): Promise<RunSummary> {
  const startedAt = new Date().toISOString();
  const runId = randomUUID();
  await deps.target.prepare(plan.streams.map((s) => s.object.schema));
  await deps.target.startRun(runId, startedAt);
  const limit = pLimit(deps.parallelStreams);
  const streams = await Promise.all(plan.streams.map((s) => limit(() => runStream(plan, s, deps))));
  const interrupted = deps.signal.aborted;
  const summary: RunSummary = {
    runId,
    status: interrupted ? 'interrupted' : streams.some((s) => s.status === 'failed') ? 'failed' : 'ok',
    startedAt,
    finishedAt: new Date().toISOString(),
    streams,
  };
  const failed = streams.filter((s) => s.status === 'failed').map((s) => `${s.stream}: ${s.reason}`);
  await deps.target.finishRun(runId, summary.status, streams, failed.length ? failed.join('\n') : null);
  return summary;
}

/**
 * Pages of a stream as read for this run: its windows from `since`, then (incremental, after a
 * first run) its change feed; cut at `--limit`.
 */
async function* streamPages(
  stream: PlannedStream,
  from: { cursor: Date | undefined; since: Date | undefined },
  plan: Plan,
  deps: RunDeps,
  counters: { requests: number; retries: number },
) {
  const { cursor, since } = from;
  const events = deps.events;
  const fetchPage = deps.source.fetcher(counters, (e) => events.request(stream.name, e));
  const read = {
    pageLimit: deps.pageLimit,
    maxOffset: deps.maxOffset,
    until: new Date(plan.until),
    ...(since ? { since } : {}),
    ...(stream.forwardDays ? { forwardDays: stream.forwardDays } : {}),
    onTotal: (() => {
      let total = 0;
      return (n: number) => events.totalKnown(stream.name, (total += n));
    })(),
    onWindowDone: (w: { since: Date; until: Date }, rows: number) => events.windowDone(stream.name, w.since, w.until, rows),
  };
  async function* all(): AsyncGenerator<ApiRecord[]> {
    yield* readStream(stream.spec, fetchPage, read);
    // Records created before the cursor but changed since: only an incremental run after a first one needs them.
    if (stream.changes && cursor) {
      const field = stream.changes.record;
      const recordType = stream.changes.recordType;
      let found = 0;
      const feed = readStream(stream.changes.spec, fetchPage, { ...read, onTotal: () => undefined, onWindowDone: () => undefined });
      for await (const page of feed) {
        // Only an expanded record replaces a row: a bare reference stub would blank it.
        const changed = page.map((r) => r[field]).filter((v): v is ApiRecord => v !== null && typeof v === 'object' && (v as ApiRecord).type === recordType);
        found += changed.length;
        yield changed;
      }
      events.changesFound(stream.name, stream.changes.spec.name, found);
    }
  }
  let rows = 0;
  let pages = 0;
  for await (const page of all()) {
    const room = deps.rowLimit === undefined ? page.length : deps.rowLimit - rows;
    const kept = room < page.length ? page.slice(0, room) : page;
    rows += kept.length;
    pages += 1;
    events.rowsRead(stream.name, rows, pages);
    yield kept;
    if (deps.rowLimit !== undefined && rows >= deps.rowLimit) return;
  }
}

async function runStream(plan: Plan, stream: PlannedStream, deps: RunDeps): Promise<StreamSummary> {
  const started = Date.now();
  const counters = { requests: 0, retries: 0 };
  const object = `${stream.object.schema}.${stream.object.table}`;
  const summary: StreamSummary = {
    stream: stream.name,
    object,
    mode: stream.mode,
    status: 'ok',
    rowsRead: 0,
    rowsWritten: 0,
    requests: 0,
    retries: 0,
    durationMs: 0,
    warnings: [],
  };
  if (deps.signal.aborted) {
    return { ...summary, status: 'failed', reason: 'not started: the run was interrupted' };
  }
  try {
    const opened = await deps.target.open(stream);
    const cursor = stream.mode === 'incremental' ? opened.cursor : undefined;
    const since = incrementalSince(stream, cursor);
    deps.events.streamStarted(
      stream.name,
      `(${stream.mode} -> ${object}${since ? `, from ${since.toISOString()}${cursor ? ' by the saved cursor' : ''}` : ''})`,
    );
    const result = await deps.target.write(stream, opened, streamPages(stream, { cursor, since }, plan, deps, counters), {
      until: plan.until,
      trial: deps.rowLimit !== undefined,
      signal: deps.signal,
      onWait: () => deps.events.notice(stream.name, `waiting for another pdsync run writing ${object}`),
    });
    summary.rowsRead = result.rowsRead;
    summary.rowsWritten = result.rowsWritten;
    summary.warnings.push(...result.warnings);
  } catch (e) {
    if (deps.signal.aborted) {
      summary.status = 'failed';
      summary.reason = 'interrupted: its load was rolled back';
    } else if (classify(e, stream.spec.gate !== undefined) === 'gated') {
      summary.status = 'skipped';
      const feature = stream.spec.gate?.feature ?? 'a feature this endpoint needs';
      summary.reason = `PagerDuty answered ${(e as ApiError).status} on ${stream.spec.path}: the account lacks ${feature}`;
    } else {
      summary.status = 'failed';
      summary.reason = e instanceof Error ? e.message : String(e);
    }
  }
  summary.requests = counters.requests;
  summary.retries = counters.retries;
  summary.durationMs = Date.now() - started;
  deps.events.streamFinished(summary);
  return summary;
}
