import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ApiRecord } from '../../../record.js';
import { type EncodeReport, encodeRows } from './copy-row-encoder.js';
import { ident, qualified } from '../sql.js';
import type { StagingTable } from './staging-table.js';
import type { TableLayout } from '../tables/table-layout.js';

/**
 * A batch is copied when it holds this many rows or this much text, whichever comes first: small
 * enough that every stream of a run buffering at once stays well inside the heap bin.ts allows.
 */
const BATCH_ROWS = 5000;
const BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Records buffered as COPY text and copied into the staging table a batch at a time, each COPY
 * its own short statement: no transaction stays open while pages are being fetched.
 */
export class BatchCopy {
  private chunks: string[] = [];
  private rows = 0;
  private bytes = 0;
  private readonly sql: string;

  constructor(
    private readonly client: PoolClient,
    staging: StagingTable,
    private readonly layout: TableLayout,
    private readonly loadedAt: string,
    readonly report: EncodeReport,
  ) {
    this.sql = `COPY ${qualified(staging.name)} (${staging.columns.map((c) => ident(c.name)).join(', ')}) FROM STDIN`;
  }

  async add(records: ApiRecord[], part: string): Promise<void> {
    if (records.length === 0) return;
    const text = encodeRows(records, this.layout, this.loadedAt, part, this.report);
    this.chunks.push(text);
    this.rows += records.length;
    this.bytes += text.length;
    if (this.rows >= BATCH_ROWS || this.bytes >= BATCH_BYTES) await this.flush();
  }

  /** Copies what is buffered. */
  async flush(): Promise<void> {
    if (this.rows === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.rows = 0;
    this.bytes = 0;
    await pipeline(Readable.from(chunks), this.client.query(copyFrom(this.sql)));
  }
}
