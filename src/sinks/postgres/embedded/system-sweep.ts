import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Beside a data folder moved to the system folder: the folder it was asked for, and the one the command ran in. */
const ORIGIN = '.origin';
/** In a copy of the server binaries: the folder they were copied from. */
export const SOURCE_FILE = 'pdsync.source';

/** Records where a moved data folder was asked for, so it can go once that place is gone. */
export function recordOrigin(dataDir: string, requested: string, cwd: string): void {
  writeFileSync(`${dataDir}${ORIGIN}`, `${requested}\n${cwd}\n`, { mode: 0o600 });
}

/** Whether a running process names this path on its command line (a server on the data, or from the binaries). */
function inUse(path: string): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return true;
  }
  return pids.some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path);
    } catch {
      return false;
    }
  });
}

function linesOf(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * As root, the system folder holds data moved there for folders the server's OS user cannot
 * enter (about 100 MB each) and copies of the binaries (about 60 MB). What no longer serves is
 * removed: data whose folders are gone (the one holding the data folder asked for, and the one the
 * command ran in), binaries whose source is gone; never while a process uses them. Returns what was removed.
 */
export function sweepSystemDir(sysDir: string): string[] {
  const removed: string[] = [];
  const data = join(sysDir, 'data');
  for (const name of existsSync(data) ? readdirSync(data) : []) {
    if (!name.endsWith(ORIGIN)) continue;
    const dir = join(data, name.slice(0, -ORIGIN.length));
    const [requested, cwd] = linesOf(join(data, name));
    if (!requested || existsSync(dirname(requested)) || (cwd && existsSync(cwd)) || inUse(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(data, name), { force: true });
    removed.push(dir);
  }
  for (const name of existsSync(sysDir) ? readdirSync(sysDir) : []) {
    const dir = join(sysDir, name);
    const source = name.startsWith('postgres-') ? linesOf(join(dir, SOURCE_FILE))[0] : undefined;
    if (!source || existsSync(source) || inUse(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
