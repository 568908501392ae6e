import type { FileFormat } from '../../config/replication.js';
import type { ApiRecord } from '../../record.js';
import { BufferedFile } from './buffered-file.js';
import type { FileColumn } from './file-columns.js';
import { ParquetRows } from './parquet-rows.js';
import type { RecordEncoder } from './record-file.js';
import { csvStreamEncoder, jsonLinesEncoder } from './stream-encoders.js';

/** A stream's rows as one file of a format: written under a hidden name, renamed into place by commit. */
export interface RowFile {
  write(records: readonly ApiRecord[]): Promise<void>;
  /** Complete and durable, still hidden. */
  finish(): Promise<void>;
  commit(): Promise<void>;
  /** Removes the hidden file: the destination is untouched. */
  discard(): Promise<void>;
  /** Values a typed format could not hold in their column, by column (written as null). */
  readonly misfits: Map<string, number>;
}

/** CSV and JSON Lines: text through an encoder, buffered. */
class TextRows implements RowFile {
  readonly misfits = new Map<string, number>();

  constructor(
    private readonly file: BufferedFile,
    private readonly encoder: RecordEncoder,
  ) {}

  async write(records: readonly ApiRecord[]): Promise<void> {
    for (const r of records) await this.file.write(this.encoder.record(r, false));
  }

  async finish(): Promise<void> {
    await this.file.write(this.encoder.tail);
    await this.file.finish();
  }

  commit(): Promise<void> {
    return this.file.commit();
  }

  discard(): Promise<void> {
    return this.file.discard();
  }
}

export async function openRowFile(path: string, format: FileFormat, columns: FileColumn[]): Promise<RowFile> {
  if (format === 'parquet') return ParquetRows.create(path, columns);
  const encoder = format === 'csv' ? csvStreamEncoder(columns) : jsonLinesEncoder(columns);
  const file = await BufferedFile.create(path);
  await file.write(encoder.head);
  return new TextRows(file, encoder);
}
