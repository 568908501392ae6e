import { dirname } from 'node:path';
import { ConfigError, PdsyncError, TargetError } from '../../errors.js';
import type { FileObject } from '../../plan/file-object.js';
import type { Plan, PlannedStream } from '../../plan/plan.js';
import type { Dropped, LoadOptions, RelationsDone, SavedState, Target } from '../target.js';
import { FileLoad } from './file-load.js';
import { readFolderState } from './folder-state.js';
import { folderProblem } from './folder-check.js';

type FileStream = PlannedStream & { file: FileObject };

function fileOf(stream: PlannedStream): FileStream {
  if (!stream.file) throw new TargetError(`${stream.name}: a file target was given a stream without a file object`);
  return stream as FileStream;
}

/** Runs `fn`; a file system error becomes a TargetError naming the stream's file. */
async function namingFile<T>(stream: PlannedStream, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PdsyncError || !(e instanceof Error) || e.name === 'AbortError') throw e;
    throw new TargetError(`${stream.file?.label ?? stream.name}: ${e.message}`);
  }
}

/**
 * Files as a run's target: each stream's rows to a file, or to part files of a folder. A file
 * target keeps no run history and makes no relations (those are PostgreSQL's); what a stream
 * needs to go on from (its cursor) lives in its folder's state file.
 */
export class FileTarget implements Target<FileLoad> {
  /** The run was stopped: a load waiting for another run's lock gives up. */
  private stopping = false;

  private constructor() {}

  /**
   * Checks, before anything is read, that every stream's folder can be written (or made). A
   * `--limit` trial (`trial`) never replaces what is there: it takes folder objects only.
   */
  static async open(plan: Plan, trial: boolean): Promise<FileTarget> {
    for (const s of plan.streams) {
      const file = fileOf(s).file;
      if (trial && !file.folder) {
        throw new ConfigError(`--limit: ${s.name} -> ${file.label} is one file, which a trial would replace with some of its rows: run without --limit, or give a folder object (file://out/{stream_name}/)`);
      }
      const problem = await folderProblem(file.folder ? file.path : dirname(file.path));
      if (problem) throw new ConfigError(`target ${plan.target.name}: ${s.name} -> ${file.label}: ${problem}`);
    }
    return new FileTarget();
  }

  async startRun(): Promise<Dropped[]> {
    return [];
  }

  async prepareRowSecurity(): Promise<void> {}

  async savedState(stream: PlannedStream): Promise<SavedState> {
    const file = fileOf(stream).file;
    const state = file.folder ? await readFolderState(file.path) : undefined;
    return { cursor: state?.cursor ? new Date(state.cursor) : undefined, syncedUntil: state?.synced_until ? new Date(state.synced_until) : undefined };
  }

  /** Saved cursors of these streams, read only: for `--dry-run`. */
  async savedCursors(streams: PlannedStream[]): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    for (const s of streams) {
      const { cursor } = await this.savedState(s);
      if (cursor) out.set(s.name, cursor);
    }
    return out;
  }

  async openLoad(stream: PlannedStream, o: LoadOptions): Promise<FileLoad> {
    const s = fileOf(stream);
    return namingFile(s, () => FileLoad.open(s, o, () => this.stopping));
  }

  /** Runs one step of a load; a file system error names the stream's file. */
  step<T>(_load: FileLoad, stream: PlannedStream, fn: () => Promise<T>): Promise<T> {
    return namingFile(stream, fn);
  }

  async discardFailedLoad(load: FileLoad): Promise<void> {
    await load.discard();
  }

  /** Releases the load's lock, if publish or discard has not. */
  endLoad(load: FileLoad): void {
    void load.release().catch(() => undefined);
  }

  /** A stop: a load waiting for another run's lock gives up; loads reading stop at the run's signal. */
  async cancelAll(): Promise<void> {
    this.stopping = true;
  }

  async keepTeamIds(): Promise<{ stream: string; reason: string }[]> {
    return [];
  }

  async keepRelations(): Promise<RelationsDone | undefined> {
    return undefined;
  }

  async finishRun(): Promise<void> {}
}
