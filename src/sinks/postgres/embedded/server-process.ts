import { type ChildProcess, spawn } from 'node:child_process';
import type { OsUser } from './os-access.js';

const KEEP_LINES = 20;

export interface Spawned {
  child: ChildProcess;
  /** The last lines the process wrote, for an error message. */
  log: string[];
  exited: Promise<number | null>;
}

/**
 * Starts a PostgreSQL program, as `user` when given (root hands the server to another OS
 * user). Its output is drained as it comes, keeping the last lines: a full pipe would stall it.
 */
export function spawnAs(file: string, args: string[], user: OsUser | undefined, opts: { detached?: boolean } = {}): Spawned {
  const child = spawn(file, args, {
    // The server's log in English whatever the machine's locale, so readiness can be read from it.
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (log.length > KEEP_LINES) log.splice(0, log.length - KEEP_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (e) => {
      log.push(`${(e as NodeJS.ErrnoException).code ?? e.message}: ${file}`);
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  });
  return { child, log, exited };
}

/** Resolves when the server says it accepts connections; rejects if it exits first. */
export function untilReady(server: Spawned): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('database system is ready to accept connections')) {
        server.child.stderr?.off('data', check);
        resolve();
      }
    };
    server.child.stderr?.on('data', check);
    void server.exited.then(() => reject(new Error(server.log.slice(-3).join('; ') || 'the server exited')));
  });
}

/** The lines of a log worth showing a person: errors first, else the last line. */
export function logReason(log: string[]): string {
  const bad = log.filter((l) => /error|fatal|panic|permission|denied|EACCES|ENOENT/i.test(l));
  return (bad.length ? bad.slice(-2) : log.slice(-1)).join('; ').trim();
}
