import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ApiRecord } from '../../record.js';
import { BufferedFile } from './buffered-file.js';

const BATCH = 1000;

/**
 * A stream's records as read, kept in a hidden file beside the destination until the read ends:
 * the same record can come twice (at a window's edge, through the change feed) and a part of the
 * stream can be voided (its list moved while it was read), so what a file gets is known only at
 * the end. Only each record's key and part stay in memory; `latest()` reads the file back once,
 * giving each key's last copy not voided, in the order read.
 */
export class RecordSpool {
  private readonly keys: string[] = [];
  private readonly parts: string[] = [];
  private readonly voided = new Set<number>();

  private constructor(
    private readonly file: BufferedFile,
    private readonly keyOf: (r: ApiRecord) => string,
  ) {}

  /** `path`: the destination it stages for (the spool lives beside it, hidden). */
  static async create(path: string, keyOf: (r: ApiRecord) => string): Promise<RecordSpool> {
    return new RecordSpool(await BufferedFile.create(`${path}.spool`), keyOf);
  }

  async add(records: readonly ApiRecord[], part: string): Promise<void> {
    for (const r of records) {
      this.keys.push(this.keyOf(r));
      this.parts.push(part);
      await this.file.write(`${JSON.stringify(r)}\n`);
    }
  }

  /** What was delivered for this part is void: it is read again. */
  restart(part: string): void {
    this.parts.forEach((p, i) => {
      if (p === part) this.voided.add(i);
    });
  }

  /** Each key's last copy, in batches, in the order read. Call once, after the last add. */
  async *latest(): AsyncGenerator<ApiRecord[]> {
    await this.file.finish();
    const last = new Map<string, number>();
    this.keys.forEach((k, i) => {
      if (!this.voided.has(i)) last.set(k, i);
    });
    let i = 0;
    let batch: ApiRecord[] = [];
    const lines = createInterface({ input: createReadStream(this.file.partPath, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (last.get(this.keys[i]!) === i) batch.push(JSON.parse(line) as ApiRecord);
      i += 1;
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  /** Removes the spool file. */
  discard(): Promise<void> {
    return this.file.discard();
  }
}
