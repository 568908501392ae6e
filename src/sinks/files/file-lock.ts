import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often a run waiting for another's lock looks again. */
const POLL_MS = 200;
/** A lock file still empty after this long was left by a process killed while it made it. */
const EMPTY_STALE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists, another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock file held while a load writes a destination (a file, or a folder's parts and state), as
 * the PostgreSQL target holds an advisory lock on its table: two runs never interleave writes, and
 * a folder's state is read and replaced by one run at a time. The file holds the holder's pid; a
 * lock whose process is gone (a killed run) is taken over.
 */
export class FileLock {
  private constructor(private readonly path: string) {}

  /** Takes the lock, waiting (`onWait` says so, once) while a live run holds it; `stopped` ends the wait. */
  static async take(path: string, onWait: () => void, stopped: () => boolean): Promise<FileLock> {
    let waiting = false;
    for (;;) {
      const handle = await open(path, 'wx', 0o644).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return undefined;
        throw e;
      });
      if (handle) {
        try {
          await handle.writeFile(`${process.pid}\n`);
        } finally {
          await handle.close();
        }
        return new FileLock(path);
      }
      if (await takeOverStale(path)) continue;
      if (stopped()) throw new DOMException('stopped while waiting for another run', 'AbortError');
      if (!waiting) onWait();
      waiting = true;
      await sleep(POLL_MS);
    }
  }

  async release(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/** Removes a lock whose holder is gone; true when the lock is gone (try again), false while a live run holds it. */
async function takeOverStale(path: string): Promise<boolean> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return true;
  const pid = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(pid) || pid <= 0) {
    const made = await stat(path).catch(() => undefined);
    if (made && Date.now() - made.mtimeMs < EMPTY_STALE_MS) return false;
  } else if (alive(pid)) {
    return false;
  }
  // Moved aside before it is removed: of two runs taking it over, one moves it, the other tries again.
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
  await rename(path, aside).catch(() => undefined);
  await rm(aside, { force: true });
  return true;
}
