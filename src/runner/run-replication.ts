import pLimit from 'p-limit';
import type { Plan, PlannedStream } from '../plan/plan.js';
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
  await deps.target.prepare(plan.streams.map((s) => s.object.schema));
  const limit = pLimit(deps.parallelStreams);
  const streams = await Promise.all(plan.streams.map((s) => limit(() => runStream(plan, s, deps))));
  return {
    status: streams.some((s) => s.status === 'failed') ? 'failed' : 'ok',
    startedAt,
    finishedAt: new Date().toISOString(),
    streams,
  };
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
    const pages = readStream(stream.spec, deps.source.fetcher(counter), {
      pageLimit: deps.pageLimit,
      maxOffset: deps.maxOffset,
      until: new Date(plan.until),
      ...(stream.since ? { since: new Date(stream.since) } : {}),
    });
    const result = await deps.target.write(stream, pages);
    summary.rowsRead = result.rowsRead;
    summary.rowsWritten = result.rowsWritten;
    for (const bad of result.badValues.slice(0, 5)) {
      summary.warnings.push(`column ${bad.column}: value ${JSON.stringify(bad.value)?.slice(0, 80)} does not fit its type; stored as NULL`);
    }
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
