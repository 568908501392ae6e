import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../../errors.js';
import { claimServer, recoverFromCrash } from './crash-recovery.js';
import type { OsUser } from './os-access.js';
import { dataLocation, reachableBinaries, type ServerBinaries, systemDir } from './server-files.js';
import { logReason, spawnAs, untilReady } from './server-process.js';
import { serverUser } from './server-user.js';
import { sweepSystemDir } from './system-sweep.js';

export const DEFAULT_EMBEDDED_DIR = '.pdsync/pg';
const SUPERUSER = 'postgres';
const DATABASE = 'pdsync';
/** Data directories made before passwords were generated used this one. */
const LEGACY_PASSWORD = 'pdsync';
const PASSWORD_FILE = 'pdsync.password';
const STOP_WAIT_MS = 5000;

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  /** Why the data is not in the folder asked for (as root, a folder the server cannot enter). */
  moved?: string;
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

/** A file only `user` (or, without one, this process's user) can read. */
function writePrivate(path: string, text: string, user: OsUser | undefined): void {
  writeFileSync(path, text, { mode: 0o600 });
  if (user) chownSync(path, user.uid, user.gid);
}

/**
 * Creates the cluster with a generated password. initdb reads the password from a file: it is
 * written mode 600 beside the data folder (never in /tmp) and removed as soon as initdb is done.
 */
async function initialise(bins: ServerBinaries, dataDir: string, user: OsUser | undefined): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dirname(dataDir), `.pdsync-initdb-${process.pid}-${randomBytes(4).toString('hex')}`);
  writePrivate(pwfile, `${password}\n`, user);
  try {
    const init = spawnAs(bins.initdb, [`--pgdata=${dataDir}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'], user);
    if ((await init.exited) !== 0) throw new TargetError(`cannot create the embedded PostgreSQL in ${dataDir}: ${logReason(init.log)}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  writePrivate(join(dataDir, PASSWORD_FILE), `${password}\n`, user);
}

function passwordOf(dataDir: string): string {
  const file = join(dataDir, PASSWORD_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : LEGACY_PASSWORD;
}

async function ensureDatabase(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  try {
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * Starts pdsync's own PostgreSQL on a free port of 127.0.0.1, its data kept in `dir` between
 * runs. As root it runs as another OS user (PostgreSQL refuses root); if that user cannot reach
 * `dir` or the binaries (a checkout in a private /root), both move to the system folder.
 */
export async function startEmbeddedPostgres(dir = DEFAULT_EMBEDDED_DIR, cwd = process.cwd(), env = process.env): Promise<EmbeddedServer> {
  const user = process.getuid?.() === 0 ? serverUser(env) : undefined;
  const sysDir = systemDir(env);
  if (user) sweepSystemDir(sysDir);
  const location = dataLocation(resolve(cwd, dir), user, sysDir, resolve(cwd));
  const dataDir = location.dir;
  const bins = await reachableBinaries(user, sysDir);
  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
  await recoverFromCrash(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bins, dataDir, user);
  const port = await freePort();
  // Its own process group: a terminal's Ctrl-C reaches pdsync, which stops the server in order.
  const server = spawnAs(bins.postgres, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], user, { detached: true });
  try {
    await untilReady(server);
  } catch {
    throw new TargetError(`cannot start the embedded PostgreSQL in ${dataDir}: ${logReason(server.log)}`);
  }
  claimServer(dataDir);
  const stop = async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGINT');
    // Unref'd: once the server has exited, the longest wait must not hold the process (Ctrl-C ends at once).
    await Promise.race([server.exited, sleep(STOP_WAIT_MS, undefined, { ref: false })]);
  };
  const url = `postgresql://${SUPERUSER}:${encodeURIComponent(passwordOf(dataDir))}@127.0.0.1:${port}/${DATABASE}`;
  try {
    await ensureDatabase(url);
  } catch (e) {
    await stop();
    throw new TargetError(`the embedded PostgreSQL in ${dataDir} started but refused its setup: ${(e as Error).message}`);
  }
  return { url, dataDir, ...(location.moved ? { moved: location.moved } : {}), stop };
}
