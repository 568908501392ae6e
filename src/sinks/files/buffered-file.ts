import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Bytes gathered before a write: large enough that writes are few, small enough to stay in the CPU's cache. */
const BUFFER_BYTES = 1 << 18;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * A file written beside its destination under a hidden name, and renamed into place only once
 * complete: a reader, or a killed writer, never sees half a file. Text is encoded straight into a
 * buffer, written when full, so no text is held longer than it takes to encode it (which keeps the
 * garbage collector's work small).
 */
export class BufferedFile {
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private written = 0;

  private constructor(
    readonly path: string,
    /** Where it is written until commit. */
    readonly partPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens a new hidden file in the destination's folder (which must exist). */
  static async create(path: string): Promise<BufferedFile> {
    const partPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
    return new BufferedFile(path, partPath, await open(partPath, 'wx', 0o644));
  }

  async write(text: string): Promise<void> {
    if (this.used + text.length * MAX_BYTES_PER_UNIT > BUFFER_BYTES) {
      await this.flush();
      if (text.length * MAX_BYTES_PER_UNIT > BUFFER_BYTES) return this.writeOut(Buffer.from(text, 'utf8'));
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Bytes written so far (after finish(): the file's size). */
  get bytes(): number {
    return this.written;
  }

  /** Writes what is buffered, makes it durable and closes the file, still under its hidden name. */
  async finish(): Promise<void> {
    await this.flush();
    await this.handle.datasync();
    await this.handle.close();
  }

  /** Renames the finished file over its destination. */
  async commit(): Promise<void> {
    await rename(this.partPath, this.path);
  }

  /** Closes (if open) and removes the hidden file: the destination is untouched. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.partPath, { force: true });
  }

  private async flush(): Promise<void> {
    if (!this.used) return;
    const used = this.used;
    this.used = 0;
    await this.writeOut(this.buffer.subarray(0, used));
  }

  private async writeOut(data: Buffer): Promise<void> {
    await this.handle.writeFile(data);
    this.written += data.length;
  }
}
