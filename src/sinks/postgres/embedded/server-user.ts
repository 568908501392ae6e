import { execFileSync } from 'node:child_process';
import { TargetError } from '../../../errors.js';
import type { OsUser } from './os-access.js';

/** As root, PostgreSQL refuses to run: the embedded server runs as this OS user, created when missing. */
export const DEFAULT_SERVER_USER = 'postgres';

function lookup(name: string): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The OS user the embedded server runs as when pdsync runs as root (`PDSYNC_EMBEDDED_OS_USER`,
 * default postgres). A fresh image may have none: a system user without a home or a login
 * shell is created, with useradd (Debian, Red Hat) or adduser (Alpine's busybox).
 */
export function serverUser(env: NodeJS.ProcessEnv): OsUser {
  const name = env.PDSYNC_EMBEDDED_OS_USER || DEFAULT_SERVER_USER;
  const found = lookup(name);
  if (found) return found;
  const created =
    tryRun('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]) ||
    tryRun('adduser', ['-S', '-D', '-H', '-h', '/nonexistent', '-s', '/sbin/nologin', name]);
  const user = created ? lookup(name) : undefined;
  if (!user) {
    throw new TargetError(
      `as root, the embedded PostgreSQL must run as another OS user, and "${name}" does not exist and could not be created: ` +
        `create it (useradd --system ${name}), or run pdsync as a normal user`,
    );
  }
  return user;
}
