import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp.js';
import { benchBin, median } from './bench-support.js';

/** 1,350 incidents bring 4,500 log entries: with the 60 users, 8 teams, 40 services and 5 priorities, 5,963 records of the six streams. */
const INCIDENTS = 1350;
const RUNS = 7;

/** One `pdsync simulator --export` as a process, start to exit: wall and CPU seconds, and the records written. */
function exportOnce(format: string, dir: string) {
  const started = process.hrtime.bigint();
  // /usr/bin/time adds CPU time: on a machine shared with other work, wall time alone says little.
  const run = spawnSync('/usr/bin/time', ['-f', 'CPU_S=%U+%S', benchBin(), 'simulator', '--export', dir, '--format', format, '--records', String(INCIDENTS)], {
    encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`pdsync simulator --export exited ${run.status}: ${run.stderr}`);
  return { wall, out: run.stderr };
}

/**
 * The generator's export against its target: 6 streams of about 1,000 records each (about 6,000)
 * written as CSV and as JSON in under 1.5 s, seed 42. Timed from process start to exit.
 */
export async function exportSpeed(): Promise<string[]> {
  const lines: string[] = [];
  for (const format of ['csv', 'json']) {
    const walls: number[] = [];
    const cpus: number[] = [];
    let summary = '';
    for (let i = 0; i < RUNS; i++) {
      const dir = join(tempDir('export'), 'out');
      const { wall, out } = exportOnce(format, dir);
      rmSync(dir, { recursive: true });
      const [user, sys] = (/CPU_S=([\d.]+)\+([\d.]+)/.exec(out) ?? []).slice(1).map(Number);
      walls.push(wall);
      cpus.push(user! + sys!);
      summary = /: (users \d+.*?)(?: \(|$)/m.exec(out)?.[1] ?? out;
    }
    const records = [...summary.matchAll(/(\w+) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
    lines.push(
      `export ${format}: ${records} records (${summary}): wall median ${median(walls).toFixed(2)} s, min ${Math.min(...walls).toFixed(2)} s; CPU median ${median(cpus).toFixed(2)} s over ${RUNS} runs`,
    );
  }
  return lines;
}
