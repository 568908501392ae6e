import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TargetError } from '../../errors.js';

/** In a folder object: the stream's cursor and its part files, so the next run goes on from them. */
export const STATE_FILE = '_pdsync_state.json';

const Time = z.iso.datetime().nullable();

const FolderState = z.object({
  stream: z.string(),
  /** The largest incremental key published. */
  cursor: Time,
  /** When the last published run read up to: the change feed is read from there. */
  synced_until: Time,
  /** The part files that hold the stream, oldest first: a later part's copy of a record wins. */
  parts: z.array(z.string()),
  updated_at: z.iso.datetime(),
});

export type FolderState = z.infer<typeof FolderState>;

/** The folder's state, or undefined when no run has published there. */
export async function readFolderState(folder: string): Promise<FolderState | undefined> {
  const path = join(folder, STATE_FILE);
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new TargetError(`${path}: ${e.message}`);
  });
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = FolderState.safeParse(raw);
  if (!parsed.success) throw new TargetError(`${path}: not a pdsync state file: remove it (with the folder's part files) to read the stream afresh`);
  return parsed.data;
}

/** Replaces the state file whole (written beside it, then renamed): a killed run leaves the old one. */
export async function writeFolderState(folder: string, state: FolderState): Promise<void> {
  const path = join(folder, STATE_FILE);
  const temp = join(folder, `.${STATE_FILE}.${randomBytes(4).toString('hex')}.part`);
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644, flush: true });
  await rename(temp, path);
}
