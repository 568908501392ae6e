import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../../errors.js';

/** The PID of the pdsync that started the server of a data directory, written beside its data. */
const OWNER_FILE = 'pdsync.owner';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, but another user's.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether a PID is a postgres server of this data directory (after a reboot, a PID may be anyone's). */
function isServerOf(pid: number, dataDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres') && cmdline.includes(dataDir);
  } catch {
    return false;
  }
}

function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Records this process as the owner of the server it is starting. */
export function claimServer(dataDir: string): void {
  writeFileSync(join(dataDir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
}

/**
 * After a crash, a postmaster.pid blocks the next start. If its process is gone, the file is
 * removed; if the server outlived the pdsync that started it, it is shut down. A server whose
 * pdsync is still running is left alone.
 */
export async function recoverFromCrash(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = pidIn(pidFile);
  if (!pid || !alive(pid) || !isServerOf(pid, dataDir)) {
    rmSync(pidFile, { force: true });
    return;
  }
  const owner = pidIn(join(dataDir, OWNER_FILE));
  if (owner && owner !== process.pid && alive(owner)) {
    throw new TargetError(`${dataDir} is in use by another pdsync (PID ${owner}): wait for it to finish, or stop it`);
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
  if (alive(pid)) throw new TargetError(`the embedded PostgreSQL left running by a crashed pdsync (PID ${pid}) does not stop: stop it by hand`);
  rmSync(pidFile, { force: true });
}
