import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { startPdsync } from './cli.js';

type Run = ReturnType<typeof startPdsync>;

/** Resolves once a running pdsync has written a line matching `pattern` on stderr; fails if it ends first. */
export function stderrMatching(run: Run, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(run.output.stderr)) return;
      run.child.stderr.off('data', check);
      resolve();
    };
    run.child.stderr.on('data', () => setImmediate(check));
    run.child.once('close', () => reject(new Error(`pdsync ended before writing ${pattern}:\n${run.output.stderr}`)));
    check();
  });
}

/**
 * Waits for a state of the database (a session waiting on a lock, a COPY under way): checks it
 * as often as it can answer, and names what it waited for when it times out.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; Date.now() < deadline; round++) {
    const value = await check();
    if (value) return value;
    // Back-to-back queries at first, then a breath between them, so a busy server is not flooded.
    await (round < 50 ? nextTurn() : sleep(5));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
