import type { RequestLogEntry } from '../../src/simulator/server.js';
import type { RateLimitOptions } from '../../src/simulator/rate-limit.js';
import { benchSession, buildRef, median } from './bench-support.js';

const ALL = ['users', 'teams', 'services', 'escalation_policies', 'schedules', 'priorities', 'tags', 'business_services', 'oncalls', 'vendors', 'incidents', 'log_entries', 'notifications'];
/** Enough records that a run makes well over 150 requests. */
const VOLUME = { incidents: 2500, log_entries: 7000, notifications: 2500 };
const RATE = 5;
/** The build before pacing followed the server's budget, for requests per 1,000 rows before and after. */
const BASELINE_REF = process.env.PDSYNC_BENCH_BUDGET_REF ?? 'b0f492f';

interface Measured {
  utilisation: number;
  requests: number;
  refused: number;
  peakPerSecond: number;
  peakInFlight: number;
}

/** Utilisation as the server sees it: (requests - 1) / ((last start - first start) x rate). */
function measure(entries: RequestLogEntry[], peakPerSecond: number, peakInFlight: number): Measured {
  const starts = entries.map((e) => e.startedAt).sort((a, b) => a - b);
  const span = (starts.at(-1)! - starts[0]!) / 1000;
  return {
    utilisation: (starts.length - 1) / (span * RATE),
    requests: starts.length,
    refused: entries.filter((e) => e.status === 429).length,
    peakPerSecond,
    peakInFlight,
  };
}

async function runAgainst(rateLimit: RateLimitOptions): Promise<Measured> {
  const session = await benchSession({
    sim: { latencyMs: 80, volume: VOLUME, rateLimit },
    inputs: { rate: RATE, concurrency: 3 },
    streams: ALL,
  });
  try {
    await session.run();
    const stats = session.sim.stats();
    // The auth check comes first, alone: the run's pace is measured from the streams' requests.
    return measure(session.sim.requests.filter((e) => e.path !== '/abilities'), stats.peakPerSecond, stats.peakInFlight);
  } finally {
    await session.close();
  }
}

function line(name: string, runs: Measured[]): string {
  const m = (f: (x: Measured) => number) => median(runs.map(f));
  return `${name}: utilisation median ${(m((x) => x.utilisation) * 100).toFixed(1)}% of ${runs.map((x) => `${(x.utilisation * 100).toFixed(1)}%`).join(', ')}; ${m((x) => x.requests)} requests, ${m((x) => x.refused)} answered 429, peak ${m((x) => x.peakPerSecond)} a second, ${m((x) => x.peakInFlight)} in flight`;
}

/**
 * The share of the request budget pdsync uses (defaults: 5 a second, 3 in flight) against a
 * server enforcing it: a 5-token bucket, and PagerDuty's own fixed minute of 960 (alone, and shared
 * with another client spending half of it). Median of three runs each; target at least 95%.
 */
export async function requestBudget(): Promise<string[]> {
  const kinds: [string, RateLimitOptions][] = [
    ['5-token bucket, 5 a second', { kind: 'bucket', limit: 5, windowSeconds: 1 }],
    ['960 a minute, fixed window', { limit: 960, windowSeconds: 60, aligned: true }],
    ['960 a minute, another client spending 480', { limit: 960, windowSeconds: 60, aligned: true, sharedPerSecond: 8 }],
  ];
  const lines: string[] = [];
  for (const [name, rateLimit] of kinds) {
    const runs: Measured[] = [];
    for (let i = 0; i < 3; i++) runs.push(await runAgainst(rateLimit));
    lines.push(line(name, runs));
  }
  return lines;
}

/** Requests per 1,000 rows of a first incremental run of all 13 streams, and of an idle rerun, with this build and another. */
async function perRows(bin?: string): Promise<{ first: number; rerun: number; rows: number }> {
  const session = await benchSession({ sim: { volume: VOLUME }, inputs: { rate: 1000, concurrency: 6 }, streams: ALL, mode: 'incremental', ...(bin ? { bin } : {}) });
  try {
    const first = await session.run();
    const rerun = await session.run();
    const count = (r: typeof first) => r.summary.streams.reduce((n, s) => n + s.requests, 0);
    const rows = first.summary.streams.reduce((n, s) => n + s.rowsWritten, 0);
    return { first: count(first), rerun: count(rerun), rows };
  } finally {
    await session.close();
  }
}

export async function requestsPerRows(): Promise<string[]> {
  const baseline = buildRef(BASELINE_REF);
  try {
    const before = await perRows(baseline.bin);
    const after = await perRows();
    const per = (r: { first: number; rows: number }) => ((r.first / r.rows) * 1000).toFixed(2);
    return [
      `requests for ${after.rows} rows of all 13 streams, incremental: first run ${after.first} (${per(after)} per 1,000 rows), idle rerun ${after.rerun}; before (${BASELINE_REF}): first run ${before.first} (${per(before)} per 1,000 rows), idle rerun ${before.rerun}`,
    ];
  } finally {
    baseline.remove();
  }
}
