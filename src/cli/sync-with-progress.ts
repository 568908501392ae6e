import type { Plan } from '../plan/plan.js';
import { runReplication } from '../runner/run-replication.js';
import type { PagerDutySource } from '../source/pagerduty-source.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { type ProgressStyle, ProgressReporter } from '../summary/progress-reporter.js';
import { rateAdvice } from '../summary/rate-advice.js';
import { formatSummary, type RunSummary } from '../summary/run-summary.js';
import type { Load, Target } from '../sinks/target.js';
import { ConfigError } from '../errors.js';
import type { Output } from '../summary/output.js';

/** Streams loading side by side; the source's limiter bounds their requests together. */
const PARALLEL_STREAMS = 4;
/** A connection per stream, one for the run's own record, one spare for reading state. */
export const POOL_SIZE = PARALLEL_STREAMS + 2;

/** Without a terminal, a stream silent this long prints where it is (PDSYNC_PROGRESS_EVERY, seconds). */
const QUIET_SECONDS = 30;

export function progressEveryMs(env: Record<string, string | undefined>): number {
  const text = env.PDSYNC_PROGRESS_EVERY;
  if (text === undefined || text === '') return QUIET_SECONDS * 1000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ConfigError(`PDSYNC_PROGRESS_EVERY=${text}: expected a number of seconds above 0 (default ${QUIET_SECONDS})`);
  return seconds * 1000;
}

/** Runs a plan with live progress on stderr, ending with the human summary. */
export async function syncWithProgress<L extends Load>(
  thePlan: Plan,
  catalogue: Catalogue,
  source: PagerDutySource,
  target: Target<L>,
  output: Output,
  opts: { style: ProgressStyle; debug: boolean; quietMs: number; signal: AbortSignal; rowLimit?: number; adviseRate?: boolean; rebuildRelations?: boolean },
): Promise<RunSummary> {
  const events = new ProgressReporter(output, opts.style, opts.debug, opts.quietMs);
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
  // The advice before the summary: the last line names the run.
  const advice = opts.adviseRate && rateAdvice(summary, source.pacing, thePlan.source.connection.inputs.rate);
  if (advice) output.err(advice);
  output.err(formatSummary(summary));
  return summary;
}
