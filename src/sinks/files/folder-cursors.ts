import { join } from 'node:path';
import type { FileObject } from '../../plan/file-object.js';
import type { PlannedStream } from '../../plan/plan.js';
import { FileLock } from './file-lock.js';
import { readFolderState, writeFolderState } from './folder-state.js';

export interface FolderCursor {
  stream: string;
  object: string;
  cursor: Date | undefined;
  updatedAt: Date;
}

const folderOf = (s: PlannedStream): FileObject | undefined => (s.file?.folder ? s.file : undefined);

/** The saved cursors of a file target's folder objects (a single file keeps none): for `pdsync state show`. */
export async function folderCursors(streams: PlannedStream[]): Promise<FolderCursor[]> {
  const out: FolderCursor[] = [];
  for (const s of streams) {
    const folder = folderOf(s);
    const state = folder && (await readFolderState(folder.path));
    if (folder && state) out.push({ stream: s.name, object: folder.label, cursor: state.cursor ? new Date(state.cursor) : undefined, updatedAt: new Date(state.updated_at) });
  }
  return out;
}

/**
 * Forgets a folder object's cursor, under its lock: the next incremental run reads from the
 * anchor and adds a part with the whole history (the parts before it stay; a later part wins).
 * False when there was none.
 */
export async function forgetFolderCursor(stream: PlannedStream, onWait: () => void): Promise<boolean> {
  const folder = folderOf(stream);
  const state = folder && (await readFolderState(folder.path));
  if (!folder || !state) return false;
  const lock = await FileLock.take(join(folder.path, '.pdsync.lock'), onWait, () => false);
  try {
    const now = (await readFolderState(folder.path)) ?? state;
    await writeFolderState(folder.path, { ...now, cursor: null, synced_until: null, updated_at: new Date().toISOString() });
    return true;
  } finally {
    await lock.release();
  }
}
