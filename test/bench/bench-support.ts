import { spawn } from 'node:child_process';
import { BIN, envYaml, SIM_KEY, workspace } from '../support/cli.js';
import { SERVER_URL, testDatabase } from '../support/database.js';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/server.js';
import type { RunSummary } from '../../src/summary/run-summary.js';

export const DATA_END = new Date('2026-06-01T00:00:00Z');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface BenchRun {
  summary: RunSummary;
  seconds: number;
  maxRssMb: number;
}

/** One `pdsync run` of the given streams against a fresh simulator and schema, under /usr/bin/time for peak RSS. */
export async function benchRun(opts: {
  sim: SimulatorOptions;
  inputs: Record<string, string | number>;
  streams: string[];
  mode?: string;
}): Promise<BenchRun> {
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, ...opts.sim });
  const db = await testDatabase('bench');
  try {
    const cwd = workspace({
      'env.yaml': envYaml(sim.url, SERVER_URL, opts.inputs),
      'r.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: ${opts.mode ?? 'full-refresh'}\n  object: ${db.schema}.{stream_name}\nstreams:\n${opts.streams.map((s) => `  ${s}:\n`).join('')}`,
    });
    const started = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', BIN, 'run', 'r.yaml', '--json', '--quiet'], {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: cwd, PAGERDUTY_API_KEY: SIM_KEY, ...(process.env.PDSYNC_BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.PDSYNC_BENCH_NODE_OPTIONS } : {}) },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const seconds = (Date.now() - started) / 1000;
    if (code !== 0) throw new Error(`pdsync exited ${code}: ${stderr}`);
    const rss = Number(/MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024;
    return { summary: JSON.parse(stdout) as RunSummary, seconds, maxRssMb: rss };
  } finally {
    await sim.close();
    await db.drop();
  }
}
