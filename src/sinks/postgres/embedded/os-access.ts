import { statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Whether a user may search (enter) a directory, by its mode bits: owner, then group, then others. */
function canEnter(dir: string, user: OsUser): boolean {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) return true;
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * The first existing ancestor of `path` (itself excluded) that `user` cannot enter, or undefined
 * when every one lets it through. Supplementary groups and ACLs are not read: a false "no" only
 * moves the server to pdsync's own reachable folder.
 */
export function blockedAncestor(path: string, user: OsUser): string | undefined {
  const blocked: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (!canEnter(dir, user)) blocked.push(dir);
    if (dir === dirname(dir)) break;
  }
  // The outermost one is what a person would have to open up.
  return blocked.at(-1);
}
