import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileObject } from '../../plan/file-object.js';
import type { PlannedStream } from '../../plan/plan.js';
import type { ApiRecord } from '../../record.js';
import type { StreamItem } from '../../source/stream-item.js';
import type { Load, LoadOptions, WriteResult } from '../target.js';
import { compositeKeyOf } from '../postgres/load/copy-row-encoder.js';
import { type FileColumn, fileColumns, unlistedFields } from './file-columns.js';
import { FileLock } from './file-lock.js';
import { type FolderState, readFolderState, STATE_FILE, writeFolderState } from './folder-state.js';
import { RecordSpool } from './record-spool.js';
import { openRowFile, type RowFile } from './row-file.js';
import { utcTime } from './file-values.js';

/** A part file's name: the run's end of history first, so names sort in the order runs read. */
function partName(until: string, runId: string, format: string): string {
  return `part-${until.replace(/[-:]/g, '').replace('.000Z', 'Z')}-${runId.slice(0, 8)}.${format}`;
}

/**
 * One stream's rows into a file, or a part file of a folder. Records are spooled as they come
 * (see RecordSpool); publish writes each key's last copy under a hidden name and renames it into
 * place, so a reader or a killed run never sees half a file. A folder's state file (cursor, parts)
 * is replaced after the part is in place; a full refresh into a folder then removes the old parts.
 */
export class FileLoad implements Load {
  readonly resumed = undefined;
  readonly droppedUnprovable = false;
  private spool: RecordSpool | undefined;
  private rows: RowFile | undefined;
  private rowsRead = 0;
  private readonly columns: FileColumn[];
  /** Where this run's rows go: the file, or this run's part file in the folder. */
  private readonly destination: string;
  private lock: FileLock | undefined;

  private constructor(
    private readonly stream: PlannedStream & { file: FileObject },
    private readonly o: LoadOptions,
    private readonly state: FolderState | undefined,
    lock: FileLock,
  ) {
    this.lock = lock;
    this.columns = fileColumns(stream);
    const file = stream.file;
    this.destination = file.folder ? join(file.path, partName(o.until, o.runId, file.format)) : file.path;
  }

  /**
   * Makes the folder and takes the destination's lock (waiting while another run holds it, until
   * `stopped`), then reads a folder's state: what the load goes on from is what the last run left.
   */
  static async open(stream: PlannedStream & { file: FileObject }, o: LoadOptions, stopped: () => boolean): Promise<FileLoad> {
    const { file } = stream;
    const dir = file.folder ? file.path : dirname(file.path);
    await mkdir(dir, { recursive: true });
    const lock = await FileLock.take(join(dir, file.folder ? '.pdsync.lock' : `.${basename(file.path)}.lock`), o.onWait, stopped);
    try {
      return new FileLoad(stream, o, file.folder ? await readFolderState(file.path) : undefined, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** Lets another run write the destination; once only, so a later holder's lock is never removed. */
  async release(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release();
  }

  get cursor(): Date | undefined {
    return this.state?.cursor ? new Date(this.state.cursor) : undefined;
  }

  get syncedUntil(): Date | undefined {
    return this.state?.synced_until ? new Date(this.state.synced_until) : undefined;
  }

  /** Clears what a killed run left half written (no other run writes here: the lock is held), and opens the spool. */
  async begin(): Promise<undefined> {
    const dir = dirname(this.destination);
    const prefixes = this.stream.file.folder ? ['.part-', `.${STATE_FILE}.`] : [`.${basename(this.destination)}.`];
    for (const name of await readdir(dir)) {
      if (prefixes.some((p) => name.startsWith(p)) && name.endsWith('.part')) await rm(join(dir, name), { force: true });
    }
    const pk = this.stream.primaryKey;
    const keyOf = pk.length === 1 && !pk[0]!.includes('.') ? (r: ApiRecord) => String(r[pk[0]!]) : (r: ApiRecord) => compositeKeyOf(r, pk);
    this.spool = await RecordSpool.create(this.destination, keyOf);
    return undefined;
  }

  async stagedKeys(): Promise<Map<string, number>> {
    return new Map();
  }

  async dropParts(): Promise<void> {}

  async accept(item: StreamItem): Promise<void> {
    if (item.kind === 'records') {
      this.rowsRead += item.records.length;
      await this.spool!.add(item.records, item.part);
    } else if (item.kind === 'restart') {
      this.spool!.restart(item.part);
    }
  }

  async publish(signal: AbortSignal): Promise<WriteResult> {
    const { file } = this.stream;
    const rows = (this.rows = await openRowFile(this.destination, file.format, this.columns));
    const unlisted = new Set<string>();
    let written = 0;
    let newest = this.cursor?.getTime() ?? -Infinity;
    const key = this.stream.spec.incremental_key;
    for await (const batch of this.spool!.latest()) {
      for (const r of batch) {
        if (file.format !== 'jsonl') for (const f of unlistedFields(this.stream, r)) unlisted.add(f);
        const t = key ? utcTime(r[key])?.getTime() : undefined;
        if (t !== undefined && t > newest) newest = t;
      }
      await rows.write(batch);
      written += batch.length;
    }
    await rows.finish();
    // A stop after the read publishes nothing, as a database load rolls back.
    signal.throwIfAborted();
    const empty = file.folder && this.stream.mode !== 'full-refresh' && written === 0;
    if (empty) await rows.discard();
    else await rows.commit();
    if (file.folder) await this.publishState(empty, Math.min(newest, Date.parse(this.o.until)));
    await this.spool!.discard();
    await this.release();
    return { rowsRead: this.rowsRead, rowsWritten: written, rowsChanged: written, rowsRemoved: 0, warnings: this.warnings(unlisted, rows.misfits) };
  }

  /** The folder's new state (an empty incremental run adds no part); a full refresh then removes the parts it replaced. */
  private async publishState(empty: boolean, newest: number): Promise<void> {
    const part = basename(this.destination);
    const old = this.state?.parts ?? [];
    // A `--limit` trial adds its part, as it merges into a table: it never replaces what is there.
    const full = this.stream.mode === 'full-refresh' && !this.o.trial;
    const parts = empty ? old : full ? [part] : [...old, part];
    // A trial or a backfill leaves where the stream goes on from as it was.
    const keep = this.o.trial || this.stream.mode === 'backfill';
    const cursor = keep || !Number.isFinite(newest) ? (this.state?.cursor ?? null) : new Date(newest).toISOString();
    const syncedUntil = keep ? (this.state?.synced_until ?? null) : this.o.until;
    await writeFolderState(this.stream.file.path, { stream: this.stream.name, cursor, synced_until: syncedUntil, parts, updated_at: new Date().toISOString() });
    if (!full) return;
    // Every other part goes, those a killed run renamed in without recording them too.
    const folder = this.stream.file.path;
    for (const p of await readdir(folder)) if (p.startsWith('part-') && p !== part) await rm(join(folder, p), { force: true });
  }

  private warnings(unlisted: Set<string>, misfits: Map<string, number>): string[] {
    const format = this.stream.file.format;
    const out = unlisted.size ? [`fields ${[...unlisted].map((f) => `"${f}"`).join(', ')} are not in the catalogue: not in the ${format} file (a .jsonl object keeps every field)`] : [];
    for (const [column, n] of misfits) out.push(`column ${column}: ${n} value${n === 1 ? '' : 's'} did not fit the column's type: null in the ${format} file (a .jsonl object keeps them as sent)`);
    return out;
  }

  /** After a failure or a stop: the hidden files go; the destination and the folder's state are untouched. */
  async discard(): Promise<void> {
    await this.rows?.discard().catch(() => undefined);
    await this.spool?.discard().catch(() => undefined);
    await this.release();
  }
}
