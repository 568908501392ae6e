import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { incrementalSince, type Plan, type PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import { classify } from '../source/response-classifier.js';
import { readStream } from '../source/stream-reader.js';
import { ApiError } from '../errors.js';
import type { PagerDutySource } from '../source/pagerduty-source.js';
import type { PostgresTarget } from '../target/postgres-target.js';
import type { RunSummary, StreamSummary } from '../summary/run-summary.js';

export interface RunDeps {
  source: PagerDutySource;
  target: PostgresTarget;
  pageLimit: number;
  maxOffset: number;
  /** Streams loading side by side; the source's limiter bounds their requests together. */
  parallelStreams: number;
  log: (line: string) => void;
}

/** Runs every planned stream; one stream failing does not stop the others. */
export async function runReplication(plan: Plan, deps: RunDeps): Promise<RunSummary> {
  const startedAt = new Date().toISOString();
  const runId = randomUUID();
  await deps.target.prepare(plan.streams.map((s) => s.object.schema));
  await deps.target.startRun(runId, startedAt);
  const limit = pLimit(deps.parallelStreams);
  const streams = await Promise.all(plan.streams.map((s) => limit(() => runStream(plan, s, deps))));
  const summary: RunSummary = {
    runId,
    status: streams.some((s) => s.status === 'failed') ? 'failed' : 'ok',
    startedAt,
    finishedAt: new Date().toISOString(),
    streams,
  };
  const failed = streams.filter((s) => s.status === 'failed').map((s) => `${s.stream}: ${s.error}`);
  await deps.target.finishRun(runId, summary.status, streams, failed.length ? failed.join('\n') : null);
  return summary;
}

async function runStream(plan: Plan, stream: PlannedStream, deps: RunDeps): Promise<StreamSummary> {
  const started = Date.now();
  const counter = { requests: 0, retries: 0 };
  const summary: StreamSummary = {
    stream: stream.name,
    object: `${stream.object.schema}.${stream.object.table}`,
    mode: stream.mode,
    status: 'ok',
    rowsRead: 0,
    rowsWritten: 0,
    requests: 0,
    retries: 0,
    durationMs: 0,
    warnings: [],
  };
  deps.log(`${stream.name}: started (${stream.mode} -> ${summary.object})`);
  try {
    const opened = await deps.target.open(stream);
    const cursor = stream.mode === 'incremental' ? opened.cursor : undefined;
    const since = incrementalSince(stream, cursor);
    const read = { pageLimit: deps.pageLimit, maxOffset: deps.maxOffset, until: new Date(plan.until), ...(since ? { since } : {}) };
    const fetchPage = deps.source.fetcher(counter);
    if (cursor) deps.log(`${stream.name}: incremental from ${since?.toISOString()} (cursor ${cursor.toISOString()})`);
    async function* pages(): AsyncGenerator<ApiRecord[]> {
      yield* readStream(stream.spec, fetchPage, read);
      // Records created before the cursor but changed since: only an incremental run after a first one needs them.
      if (stream.changes && cursor) {
        const field = stream.changes.record;
        for await (const page of readStream(stream.changes.spec, fetchPage, read)) {
          yield page.map((r) => r[field]).filter((v): v is ApiRecord => v !== null && typeof v === 'object');
        }
      }
    }
    const result = await deps.target.write(stream, opened, pages(), {
      until: plan.until,
      onWait: () => deps.log(`${stream.name}: waiting for another pdsync run writing ${summary.object}`),
    });
    summary.rowsRead = result.rowsRead;
    summary.rowsWritten = result.rowsWritten;
    summary.warnings.push(...result.warnings);
  } catch (e) {
    if (classify(e, stream.spec.gate !== undefined) === 'gated') {
      summary.status = 'skipped';
      const feature = stream.spec.gate?.feature ?? 'a feature this endpoint needs';
      summary.error = `PagerDuty answered ${(e as ApiError).status} on ${stream.spec.path}: the account lacks ${feature}; stream skipped`;
    } else {
      summary.status = 'failed';
      summary.error = e instanceof Error ? e.message : String(e);
    }
  }
  summary.requests = counter.requests;
  summary.retries = counter.retries;
  summary.durationMs = Date.now() - started;
  for (const w of summary.warnings) deps.log(`${stream.name}: warning: ${w}`);
  deps.log(
    summary.status === 'ok'
      ? `${stream.name}: finished, ${summary.rowsWritten} rows, ${summary.requests} requests`
      : `${stream.name}: ${summary.status === 'skipped' ? 'warning: ' : 'failed: '}${summary.error}`,
  );
  return summary;
}
