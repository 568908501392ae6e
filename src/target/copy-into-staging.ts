import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ApiRecord } from '../record.js';
import { type EncodeReport, emptyReport, encodeRows } from './copy-row-encoder.js';
import { ident } from './sql.js';
import { SEQ, type TableLayout, UNMAPPED } from './table-layout.js';

export interface CopyResult extends EncodeReport {
  rows: number;
}

/**
 * Streams pages into the staging table with COPY as they arrive. Readable.from pulls the next
 * page only when COPY has room, so memory stays flat whatever the stream size.
 */
export async function copyIntoStaging(
  client: PoolClient,
  staging: string,
  layout: TableLayout,
  pages: AsyncIterable<ApiRecord[]>,
  loadedAt: string,
): Promise<CopyResult> {
  const result: CopyResult = { rows: 0, ...emptyReport() };
  const columns = [...layout.columns.map((c) => c.name), UNMAPPED, SEQ].map(ident).join(', ');
  const copy = client.query(copyFrom(`COPY ${ident(staging)} (${columns}) FROM STDIN`));
  async function* lines(): AsyncGenerator<string> {
    for await (const page of pages) {
      if (page.length === 0) continue;
      result.rows += page.length;
      yield encodeRows(page, layout, loadedAt, result);
    }
  }
  await pipeline(Readable.from(lines()), copy);
  return result;
}
