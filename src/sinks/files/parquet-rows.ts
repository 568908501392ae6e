import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { ColumnType } from '../../catalogue/catalogue.js';
import type { ApiRecord } from '../../record.js';
import type { FileColumn } from './file-columns.js';
import { utcTime } from './file-values.js';

/** Rows per row group: a reader skips by row group, and the writer holds one in memory at a time. */
const ROW_GROUP = 10_000;

type ParquetType = 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'JSON';

/** Each table type's Parquet type: nested values (and id arrays) as JSON text, times as UTC milliseconds. */
const PARQUET_TYPE: Record<ColumnType, ParquetType> = {
  text: 'STRING',
  bigint: 'INT64',
  'double precision': 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamptz: 'TIMESTAMP',
  jsonb: 'JSON',
  'text[]': 'JSON',
};

const MISFIT = Symbol('misfit');

/** A value as its Parquet column takes it; MISFIT when it has not that type (written as null, and counted). */
function parquetValue(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'text':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'bigint':
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : MISFIT;
    case 'double precision':
      return typeof v === 'number' && Number.isFinite(v) ? v : MISFIT;
    case 'boolean':
      return typeof v === 'boolean' ? v : MISFIT;
    case 'timestamptz':
      return utcTime(v) ?? MISFIT;
    default:
      return v;
  }
}

/**
 * A Parquet file of a stream, typed by its columns and compressed (Snappy), written beside its
 * destination under a hidden name in row groups as records come, and renamed into place once
 * complete. A value that does not fit its column's type is null there, counted per column.
 */
export class ParquetRows {
  private readonly buffered: unknown[][];
  private rows = 0;
  /** Values written as null because they did not fit their column, by column. */
  readonly misfits = new Map<string, number>();

  private constructor(
    readonly path: string,
    private readonly partPath: string,
    private readonly columns: FileColumn[],
    private readonly writer: ParquetWriter,
  ) {
    this.buffered = columns.map(() => []);
  }

  static async create(path: string, columns: FileColumn[]): Promise<ParquetRows> {
    const partPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
    const schema = schemaFromColumnData({ columnData: columns.map((c) => ({ name: c.name, data: [], type: PARQUET_TYPE[c.type] })) });
    const writer = new ParquetWriter({ writer: fileWriter(partPath), schema, codec: 'SNAPPY', createdBy: 'pdsync' });
    return new ParquetRows(path, partPath, columns, writer);
  }

  async write(records: readonly ApiRecord[]): Promise<void> {
    for (const r of records) {
      this.columns.forEach((c, i) => {
        const v = parquetValue(c.value(r), c.type);
        if (v === MISFIT) this.misfits.set(c.name, (this.misfits.get(c.name) ?? 0) + 1);
        this.buffered[i]!.push(v === MISFIT ? null : v);
      });
      if (++this.rows % ROW_GROUP === 0) await this.flush();
    }
  }

  /** Writes the last row group and the footer, makes the file durable; still under its hidden name. */
  async finish(): Promise<void> {
    await this.flush();
    this.writer.finish();
    const handle = await open(this.partPath, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async commit(): Promise<void> {
    await rename(this.partPath, this.path);
  }

  async discard(): Promise<void> {
    await rm(this.partPath, { force: true });
  }

  private async flush(): Promise<void> {
    const n = this.buffered[0]?.length ?? 0;
    if (n === 0) return;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.buffered[i]!.splice(0) }));
    await this.writer.write({ columnData, rowGroupSize: n });
  }
}
