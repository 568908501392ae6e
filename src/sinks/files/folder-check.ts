import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Why files cannot be written in `dir`, or undefined when they can: the folder, or the nearest
 * folder above it that exists (the missing ones are made at the first write), must be a folder
 * this process may write in. Checked before a run reads anything, so a bad folder writes nothing.
 */
export async function folderProblem(dir: string): Promise<string | undefined> {
  let at = dir;
  for (;;) {
    const found = await stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : e));
    if (found instanceof Error) return `cannot read ${at}: ${found.message}`;
    if (found && !found.isDirectory()) return `${at} is a file, not a folder: move it away or choose another folder`;
    if (found) break;
    const up = dirname(at);
    if (up === at) return `no folder of ${dir} exists`;
    at = up;
  }
  try {
    await access(at, constants.W_OK | constants.X_OK);
    return undefined;
  } catch {
    return `cannot write in ${at}: give this user write access to it (chmod u+w) or choose another folder`;
  }
}
