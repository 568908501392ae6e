import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { ConfigError } from '../../errors.js';
import { loadCatalogue } from '../../spec/catalogue.js';
import { plan } from '../../plan/plan.js';
import { runReplication } from '../../runner/run-replication.js';
import { PagerDutySource } from '../../source/pagerduty-source.js';
import { PostgresTarget } from '../../target/postgres-target.js';
import { formatSummary } from '../../summary/run-summary.js';
import type { Mode } from '../../config/replication.js';
import { EXIT_OK, EXIT_STREAM_FAILED } from '../../errors.js';

export interface RunOptions {
  file?: string;
  replication?: string;
  streams?: string;
  mode?: Mode;
  envFile?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const PARALLEL_STREAMS = 4;

/** `pdsync run`: config -> plan -> source -> target -> summary. Returns the exit code. */
export async function runCommand(opts: RunOptions): Promise<number> {
  const file = opts.file ?? opts.replication;
  if (!file) throw new ConfigError('run: no replication file: pass one, as in `pdsync run replication.yaml`');
  if (opts.file && opts.replication && opts.file !== opts.replication) {
    throw new ConfigError(`run: two replication files given (${opts.file} and -r ${opts.replication}): pass one`);
  }
  const cwd = opts.cwd ?? process.cwd();
  const config = await loadConfig({
    replicationPath: resolve(cwd, file),
    replicationLabel: file,
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    cwd,
    env: opts.env ?? process.env,
  });
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
  const log = opts.quiet ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
  const target = await PostgresTarget.connect(config.target.url, PARALLEL_STREAMS + 1);
  const source = new PagerDutySource(config.source);
  try {
    const summary = await runReplication(thePlan, {
      source,
      target,
      pageLimit: catalogue.page_limit,
      maxOffset: catalogue.max_offset,
      parallelStreams: PARALLEL_STREAMS,
      log,
    });
    process.stderr.write(`${formatSummary(summary)}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.status === 'ok' ? EXIT_OK : EXIT_STREAM_FAILED;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}
