import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../config/load-config.js';
import type { Mode } from '../../config/replication.js';
import { ConfigError, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_STREAM_FAILED } from '../../errors.js';
import { plan, type Plan } from '../../plan/plan.js';
import { runReplication } from '../../runner/run-replication.js';
import { PagerDutySource } from '../../source/pagerduty-source.js';
import { type Catalogue, loadCatalogue } from '../../spec/catalogue.js';
import { formatPlanReport, planReport } from '../../summary/plan-report.js';
import { type ProgressStyle, ProgressReporter } from '../../summary/progress-reporter.js';
import { formatSummary, type RunSummary } from '../../summary/run-summary.js';
import { openDatabase } from '../../target/embedded-postgres.js';
import { PostgresTarget } from '../../target/postgres-target.js';
import type { Output } from '../output.js';

export interface RunOptions {
  file?: string;
  replication?: string;
  streams?: string;
  mode?: Mode;
  envFile?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  dryRun?: boolean;
  limit?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const PARALLEL_STREAMS = 4;

/** Every secret of the run's connections, so no output can show one. */
export function registerSecrets(output: Output, config: Pick<LoadedConfig, 'source' | 'target'>): void {
  output.addSecret(config.source.secrets.api_key);
  output.addSecret(config.source.secrets.oauth_token);
  output.addSecret(config.source.secrets.client_secret);
  if (URL.canParse(config.target.url)) output.addSecret(decodeURIComponent(new URL(config.target.url).password));
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--limit "${value}": expected a whole number of rows, at least 1`);
  return n;
}

/** Runs a plan with live progress on stderr, ending with the human summary. */
export async function syncWithProgress(
  thePlan: Plan,
  catalogue: Catalogue,
  source: PagerDutySource,
  target: PostgresTarget,
  output: Output,
  opts: { style: ProgressStyle; debug: boolean; signal: AbortSignal; rowLimit?: number },
): Promise<RunSummary> {
  const events = new ProgressReporter(output, opts.style, opts.debug);
  let summary: RunSummary;
  try {
    summary = await runReplication(thePlan, {
      source,
      target,
      events,
      pageLimit: catalogue.page_limit,
      maxOffset: catalogue.max_offset,
      parallelStreams: PARALLEL_STREAMS,
      signal: opts.signal,
      ...(opts.rowLimit ? { rowLimit: opts.rowLimit } : {}),
    });
  } finally {
    events.close();
  }
  output.err(formatSummary(summary));
  return summary;
}

/** `pdsync run`: config -> plan -> source -> target -> summary. Returns the exit code. */
export async function runCommand(opts: RunOptions, output: Output): Promise<number> {
  const file = opts.file ?? opts.replication;
  if (!file) throw new ConfigError('run: no replication file: pass one, as in `pdsync run replication.yaml`');
  if (opts.file && opts.replication && opts.file !== opts.replication) {
    throw new ConfigError(`run: two replication files given (${opts.file} and -r ${opts.replication}): pass one`);
  }
  const rowLimit = parseLimit(opts.limit);
  const cwd = opts.cwd ?? process.cwd();
  const config = await loadConfig({
    replicationPath: resolve(cwd, file),
    replicationLabel: file,
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    cwd,
    env: opts.env ?? process.env,
    warn: (line) => output.err(`pdsync: warning: ${line}`),
  });
  registerSecrets(output, config);
  const catalogue = await loadCatalogue();
  const only = opts.streams?.split(',').map((s) => s.trim()).filter(Boolean);
  const thePlan = plan({
    catalogue,
    replication: config.replication,
    replicationPath: file,
    source: config.source,
    target: config.target,
    now: new Date(),
    ...(only ? { only } : {}),
    ...(opts.mode ? { mode: opts.mode } : {}),
  });

  const stop = new AbortController();
  let signalCode = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM);
    signalCode = signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
    output.err(`pdsync: ${signal}: stopping; open loads roll back (send it again to quit at once)`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const database = await openDatabase(config.target, cwd);
  let target: PostgresTarget;
  try {
    target = await PostgresTarget.connect(database.url, PARALLEL_STREAMS + 1);
  } catch (e) {
    await database.close();
    throw e;
  }
  const scopes = thePlan.streams.flatMap((s) => [s.spec.scope, ...(s.changes ? [s.changes.spec.scope] : [])]);
  const source = new PagerDutySource(config.source, { signal: stop.signal, scopes });
  try {
    if (opts.dryRun) {
      // One request proves the key; nothing is written.
      await source.fetcher({ requests: 0, retries: 0 })('/users', { limit: 1 });
      const report = planReport(thePlan, await target.savedCursors(thePlan.streams));
      if (opts.json) output.out(`${JSON.stringify({ until: thePlan.until, streams: report }, null, 2)}\n`);
      else output.out(`${formatPlanReport(report)}\n`);
      return EXIT_OK;
    }
    const summary = await syncWithProgress(thePlan, catalogue, source, target, output, {
      style: opts.quiet ? 'quiet' : output.isTTY ? 'tty' : 'plain',
      debug: opts.debug === true,
      signal: stop.signal,
      ...(rowLimit ? { rowLimit } : {}),
    });
    if (opts.json) output.out(`${JSON.stringify(summary, null, 2)}\n`);
    if (signalCode) return signalCode;
    return summary.status === 'ok' ? EXIT_OK : EXIT_STREAM_FAILED;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.allSettled([source.close(), target.close()]);
    await database.close();
  }
}
