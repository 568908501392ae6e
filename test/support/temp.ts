import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary folder of a test process lives under one root, removed when the process
 * exits, whether its tests passed or failed: a run leaves nothing in /tmp.
 */
let root: string | undefined;

function testRoot(): string {
  if (!root) {
    root = mkdtempSync(join(tmpdir(), 'pdsync-test-'));
    // Open to pass through, so an embedded server's OS user can reach a workspace opened for it.
    chmodSync(root, 0o755);
    const dir = root;
    const clean = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', clean);
    // A test process stopped by a signal cleans up too, then dies of that signal as it would have.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        clean();
        process.kill(process.pid, signal);
      });
    }
  }
  return root;
}

/** A new private folder (mode 700) for one test. */
export function tempDir(name = 'ws'): string {
  const base = join(testRoot(), name);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return mkdtempSync(join(base, '/'));
}

/** As root, where the embedded server's files go when a workspace is closed to its OS user: inside the test's folder. */
export function systemDir(): string {
  const dir = join(testRoot(), 'system');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}
