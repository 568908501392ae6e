import type { Plan } from '../plan/plan.js';
import { runReplication } from '../runner/run-replication.js';
import type { PagerDutySource } from '../source/pagerduty-source.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { type ProgressStyle, ProgressReporter } from '../summary/progress-reporter.js';
import { rateAdvice } from '../summary/rate-advice.js';
import { formatSummary, type RunSummary } from '../summary/run-summary.js';
import type { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import type { Output } from './output.js';

/** Streams loading side by side; the source's limiter bounds their requests together. */
const PARALLEL_STREAMS = 4;
/** A connection per stream, one for the run's own record, one spare for reading state. */
export const POOL_SIZE = PARALLEL_STREAMS + 2;

/** Runs a plan with live progress on stderr, ending with the human summary. */
export async function syncWithProgress(
  thePlan: Plan,
  catalogue: Catalogue,
  source: PagerDutySource,
  target: PostgresTarget,
  output: Output,
  opts: { style: ProgressStyle; debug: boolean; signal: AbortSignal; rowLimit?: number; adviseRate?: boolean; rebuildRelations?: boolean },
): Promise<RunSummary> {
  const events = new ProgressReporter(output, opts.style, opts.debug);
  let summary: RunSummary;
  try {
    summary = await runReplication(thePlan, {
      source,
      target,
      events,
      maxOffset: catalogue.max_offset,
      parallelStreams: PARALLEL_STREAMS,
      signal: opts.signal,
      redact: (text) => output.redact(text),
      rebuildRelations: opts.rebuildRelations === true,
      ...(opts.rowLimit ? { rowLimit: opts.rowLimit } : {}),
    });
  } finally {
    events.close();
  }
  output.err(formatSummary(summary));
  const advice = opts.adviseRate && rateAdvice(summary, source.pacing, thePlan.source.connection.inputs.rate);
  if (advice) output.err(advice);
  return summary;
}
