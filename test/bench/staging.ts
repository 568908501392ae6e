import { spawn } from 'node:child_process';
import { startSimulator } from '../../src/simulator/server.js';
import type { RunSummary } from '../../src/summary/run-summary.js';
import { envYaml, SIM_KEY, workspace } from '../support/cli.js';
import { testDatabase } from '../support/database.js';
import { benchBin, benchRun, buildRef, DATA_END, median } from './bench-support.js';

const ROWS = Number(process.env.PDSYNC_BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.PDSYNC_BENCH_REPEAT ?? 3);
/** The last commit that loaded a stream in one long transaction (before staged batches). */
const BASELINE_REF = process.env.PDSYNC_BENCH_BASELINE_REF ?? '7f5ebae';
const load = (bin?: string) =>
  benchRun({
    sim: { volume: { log_entries: ROWS, incidents: ROWS / 10 } },
    inputs: { rate: 100_000, concurrency: 8, anchor_date: '2024-01-01T00:00:00Z' },
    streams: ['log_entries'],
    ...(bin ? { bin } : {}),
  });

/**
 * A full refresh of ROWS log entries with no rate limit: the staged-batch design against the
 * baseline's single transaction, alternating runs, medians of rows/s and peak RSS.
 */
export async function stagingThroughput(): Promise<string[]> {
  const baseline = buildRef(BASELINE_REF);
  try {
    const figures = { old: { rate: [] as number[], rss: [] as number[] }, now: { rate: [] as number[], rss: [] as number[] } };
    for (let i = 0; i < REPEAT; i++) {
      for (const [which, bin] of [['old', baseline.bin], ['now', undefined]] as const) {
        const r = await load(bin);
        figures[which].rate.push(r.summary.streams[0]!.rowsWritten / r.seconds);
        figures[which].rss.push(r.maxRssMb);
      }
    }
    const rate = { old: median(figures.old.rate), now: median(figures.now.rate) };
    return [
      `full refresh of ${ROWS} log entries, median of ${REPEAT}: staged batches ${Math.round(rate.now)} rows/s, peak RSS ${median(figures.now.rss).toFixed(0)} MB; one long transaction (${BASELINE_REF}) ${Math.round(rate.old)} rows/s, peak RSS ${median(figures.old.rss).toFixed(0)} MB; ratio ${(rate.now / rate.old).toFixed(2)} (at least 0.8 wanted)`,
    ];
  } finally {
    baseline.remove();
  }
}

/** A pdsync run as a process; `killWhen` decides, after each request the simulator answers, whether to SIGKILL it. */
async function runUntil(cwd: string, killWhen?: () => boolean): Promise<{ summary?: RunSummary; seconds: number }> {
  const started = Date.now();
  const child = spawn(benchBin(), ['run', 'r.yaml', '--json', '--quiet'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, PAGERDUTY_API_KEY: SIM_KEY } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.resume();
  const timer = killWhen && setInterval(() => killWhen() && child.kill('SIGKILL'), 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (timer) clearInterval(timer);
  return { ...(code === 0 ? { summary: JSON.parse(out) as RunSummary } : {}), seconds: (Date.now() - started) / 1000 };
}

/** A full refresh of ROWS log entries killed once 80% of its requests were answered, then run again: what the rerun costs. */
export async function resumeAfterKill(): Promise<string[]> {
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, volume: { log_entries: ROWS, incidents: ROWS / 10 } });
  const db = await testDatabase('resume');
  try {
    const cwd = workspace({
      'env.yaml': envYaml(sim.url, db.url, { rate: 100_000, concurrency: 8, anchor_date: '2024-01-01T00:00:00Z' }),
      'r.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${db.schema}.{stream_name}\nstreams:\n  log_entries:\n`,
    });
    const full = await runUntil(cwd);
    const fullRequests = full.summary!.streams[0]!.requests;
    sim.resetLog();
    const killed = await runUntil(cwd, () => sim.requests.length >= fullRequests * 0.8);
    const rerun = await runUntil(cwd);
    const s = rerun.summary!.streams[0]!;
    return [
      `resume: a full refresh of ${ROWS} log entries takes ${fullRequests} requests and ${full.seconds.toFixed(1)} s; killed at 80% (${killed.seconds.toFixed(1)} s in), the rerun took ${s.requests} requests and ${rerun.seconds.toFixed(1)} s, read ${s.rowsRead} rows and wrote ${s.rowsWritten}`,
    ];
  } finally {
    await sim.close();
    await db.drop();
  }
}
