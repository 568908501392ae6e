import { execFileSync } from 'node:child_process';
import { benchBin, median } from './bench-support.js';

/** How fast the command line answers `--version` and `--help`: the minimum and median of ten runs each. */
export async function startup(): Promise<string[]> {
  return ['--version', '--help'].map((arg) => {
    const ms: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      execFileSync(benchBin(), [arg], { stdio: 'ignore' });
      ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return `pdsync ${arg}: min ${Math.min(...ms).toFixed(0)} ms, median ${median(ms).toFixed(0)} ms over 10 runs`;
  });
}
