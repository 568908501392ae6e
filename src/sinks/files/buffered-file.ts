import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Text gathered before a write: large enough that writes are few, small enough to stay out of the way. */
const FLUSH_AT = 1 << 20;

/**
 * A file written beside its destination under a hidden name, and renamed into place only once
 * complete: a reader, or a killed writer, never sees half a file. Text is buffered in memory and
 * written in chunks of about 1 MiB.
 */
export class BufferedFile {
  private chunks: string[] = [];
  private pending = 0;
  private written = 0;

  private constructor(
    readonly path: string,
    private readonly partPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens a new hidden file in the destination's folder (which must exist). */
  static async create(path: string): Promise<BufferedFile> {
    const partPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
    return new BufferedFile(path, partPath, await open(partPath, 'wx', 0o644));
  }

  async write(text: string): Promise<void> {
    this.chunks.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) await this.flush();
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
    if (!this.chunks.length) return;
    const data = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.pending = 0;
    await this.handle.writeFile(data);
    this.written += data.length;
  }
}
