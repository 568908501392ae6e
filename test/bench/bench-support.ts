import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envYaml, SIM_KEY, workspace } from '../support/cli.js';
import { testDatabase } from '../support/database.js';
import { tempDir } from '../support/temp.js';
import { type Simulator, startSimulator, type SimulatorOptions } from '../../src/simulator/server.js';
import type { RunSummary } from '../../src/summary/run-summary.js';

export const DATA_END = new Date('2026-06-01T00:00:00Z');
const REPO = fileURLToPath(new URL('../..', import.meta.url));

let snapshot: string | undefined;

/**
 * This checkout's build, copied aside when the benchmarks start, so that rebuilding the checkout
 * while they run (they take a while) cannot change the program they measure.
 */
export function benchBin(): string {
  if (!snapshot) {
    const dir = join(tempDir('build'), 'pdsync');
    for (const part of ['dist', 'specs', 'package.json']) cpSync(join(REPO, part), join(dir, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    snapshot = join(dir, 'dist/cli/bin.js');
  }
  return snapshot;
}

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

export interface SessionOptions {
  sim: SimulatorOptions;
  inputs: Record<string, string | number>;
  streams: string[];
  mode?: string;
  /** Another build's bin (a baseline), instead of this checkout's. */
  bin?: string;
}

/** A simulator, a database and a workspace for one or more `pdsync run`s as processes, under /usr/bin/time for peak RSS. */
export async function benchSession(opts: SessionOptions) {
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, ...opts.sim });
  const db = await testDatabase('bench');
  const cwd = workspace({
    'env.yaml': envYaml(sim.url, db.url, opts.inputs),
    'r.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: ${opts.mode ?? 'full-refresh'}\n  object: ${db.schema}.{stream_name}\nstreams:\n${opts.streams.map((s) => `  ${s}:\n`).join('')}`,
  });
  return {
    sim: sim as Simulator,
    db,
    async run(): Promise<BenchRun> {
      const started = Date.now();
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', opts.bin ?? benchBin(), 'run', 'r.yaml', '--json', '--quiet'], {
          cwd,
          env: { PATH: process.env.PATH ?? '', HOME: cwd, PAGERDUTY_API_KEY: SIM_KEY },
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
    },
    async close(): Promise<void> {
      await sim.close();
      await db.drop();
    },
  };
}

/** One run against a fresh simulator and database. */
export async function benchRun(opts: SessionOptions): Promise<BenchRun> {
  const session = await benchSession(opts);
  try {
    return await session.run();
  } finally {
    await session.close();
  }
}

/** Another commit's pdsync, built beside this checkout (a git worktree sharing its node_modules). */
export function buildRef(ref: string): { bin: string; remove(): void } {
  const dir = join(tempDir('ref'), 'pdsync');
  execFileSync('git', ['worktree', 'add', '--detach', '--quiet', dir, ref], { cwd: REPO });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(join(REPO, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir });
  const bin = join(dir, 'dist/cli/bin.js');
  chmodSync(bin, 0o755);
  return { bin, remove: () => execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: REPO }) };
}
