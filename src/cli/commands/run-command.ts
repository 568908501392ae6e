import { resolve } from 'node:path';
import type { Mode } from '../../config/replication.js';
import { ConfigError, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_STREAM_FAILED } from '../../errors.js';
import { plan } from '../../plan/plan.js';
import { checkAuth, probeOf } from '../../source/auth-check.js';
import { PagerDutySource } from '../../source/pagerduty-source.js';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { formatPlanReport, planReport } from '../../summary/plan-report.js';
import type { CommandContext } from '../context.js';
import { openTarget } from '../open-target.js';
import { loadReplication } from '../replication-file.js';
import { progressEveryMs, syncWithProgress } from '../sync-with-progress.js';

export interface RunOptions {
  file?: string;
  replication?: string;
  streams?: string;
  mode?: Mode;
  /** `--range`, for --mode backfill. */
  range?: string;
  envFile?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  dryRun?: boolean;
  limit?: string;
  rebuildRelations?: boolean;
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--limit "${value}": expected a whole number of rows, at least 1`);
  return n;
}

/** SIGINT/SIGTERM abort the run; a second signal quits at once. */
function stopOnSignals(ctx: CommandContext) {
  const stop = new AbortController();
  let code = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return ctx.quit?.(signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM);
    code = signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
    ctx.output.err(`pdsync: ${signal}: stopping; open loads roll back (send it again to quit at once)`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    code: () => code,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Config, catalogue, and the plan at a given moment (the run's fixed `until`). */
export async function prepare(file: string, opts: Pick<RunOptions, 'envFile' | 'streams' | 'mode' | 'range'>, ctx: CommandContext) {
  const config = await loadReplication(file, opts.envFile, ctx);
  const catalogue = await loadCatalogue();
  const only = opts.streams?.split(',').map((s) => s.trim()).filter(Boolean);
  const planAt = (now: Date) =>
    plan({
      catalogue,
      replication: config.replication,
      replicationPath: file,
      replicationId: resolve(ctx.cwd, file),
      source: config.source,
      target: config.target,
      now,
      ...(only ? { only } : {}),
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(opts.range !== undefined ? { range: opts.range } : {}),
    });
  return { config, catalogue, planAt };
}

/** `pdsync run`: config -> plan -> source -> target -> summary. Returns the exit code. */
export async function runCommand(opts: RunOptions, ctx: CommandContext): Promise<number> {
  const file = opts.file ?? opts.replication;
  if (!file) throw new ConfigError('run: no replication file: pass one, as in `pdsync run replication.yaml`');
  if (opts.file && opts.replication && opts.file !== opts.replication) {
    throw new ConfigError(`run: two replication files given (${opts.file} and -r ${opts.replication}): pass one`);
  }
  const rowLimit = parseLimit(opts.limit);
  const { output } = ctx;
  const { config, catalogue, planAt } = await prepare(file, opts, ctx);
  const draft = planAt(new Date());
  const signals = stopOnSignals(ctx);
  const scopes = draft.streams.flatMap((s) => [s.spec.scope, ...(s.changes ? [s.changes.spec.scope] : []), ...(s.parent ? [s.parent.spec.scope] : [])]);
  const source = new PagerDutySource(config.source, { signal: signals.signal, scopes, onSecret: (t) => output.addSecret(t) });
  try {
    // One request proves the address and the credentials before the database is touched: a wrong key or base_url writes nothing.
    const probes = draft.streams.flatMap((s) => probeOf(s.spec, new Date(draft.until)) ?? []);
    await checkAuth(source.accessCheck(draft.source.name), probes);
    // The run reads up to the API's own clock (its Date header), whatever this machine's says.
    const thePlan = planAt(source.serverNow() ?? new Date());
    const opened = await openTarget(config.target, thePlan, ctx, rowLimit !== undefined && !opts.dryRun);
    try {
      if (opts.dryRun) {
        const report = planReport(thePlan, await opened.now(thePlan));
        output.out(opts.json ? `${JSON.stringify({ until: thePlan.until, ...report }, null, 2)}\n` : `${formatPlanReport(report)}\n`);
        return EXIT_OK;
      }
      const summary = await syncWithProgress(thePlan, catalogue, source, opened.target, output, {
        quietMs: progressEveryMs(ctx.env),
        style: opts.quiet ? 'quiet' : output.isTTY ? 'tty' : 'plain',
        debug: opts.debug === true,
        signal: signals.signal,
        adviseRate: true,
        rebuildRelations: opts.rebuildRelations === true,
        ...(rowLimit ? { rowLimit } : {}),
      });
      if (opts.json) output.out(`${JSON.stringify(summary, null, 2)}\n`);
      if (signals.code()) return signals.code();
      return summary.status === 'ok' ? EXIT_OK : EXIT_STREAM_FAILED;
    } finally {
      await opened.close();
    }
  } finally {
    signals.dispose();
    await source.close();
  }
}
