import type { PoolClient } from 'pg';
import type { PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import { advanceCursor, lockObject } from './bookkeeping.js';
import { copyIntoStaging, type CopyResult } from './copy-into-staging.js';
import { replaceRows } from './full-refresh.js';
import { mergeRows } from './merge.js';
import { addNewColumns } from './schema-evolution.js';
import { ident, qualified } from './sql.js';
import { stagingColumns } from './staging.js';
import { SEQ, type TableLayout, UNMAPPED } from './table-layout.js';

export interface LoadOptions {
  loadedAt: string;
  /** The run's fixed end of history: the cursor never passes it. */
  until: string;
  /** A `--limit` trial: its partial read is merged (never replaces a table) and moves no cursor. */
  trial: boolean;
  /** Aborted by SIGINT/SIGTERM: the load rolls back instead of committing. */
  signal: AbortSignal;
  onWait: () => void;
}

export interface LoadResult extends CopyResult {
  written: number;
  addedColumns: string[];
}

/**
 * One stream's load, all in one transaction: lock the object, COPY the pages into a temporary
 * staging table as they arrive, add columns for new fields, replace or merge the live rows, and
 * move the stream's cursor. Anything that fails, or a killed process, rolls it all back: the
 * live table and the state stay as they were.
 */
export async function loadStream(
  client: PoolClient,
  stream: PlannedStream,
  layout: TableLayout,
  pages: AsyncIterable<ApiRecord[]>,
  opts: LoadOptions,
): Promise<LoadResult> {
  const stagingTable = `_pdsync_staging_${stream.object.table}`.slice(0, 63);
  await client.query('BEGIN');
  try {
    await lockObject(client, stream.object, opts.onWait);
    await client.query(
      `CREATE TEMP TABLE ${ident(stagingTable)} (LIKE ${qualified(stream.object)} INCLUDING DEFAULTS, ${ident(UNMAPPED)} jsonb, ${ident(SEQ)} bigint) ON COMMIT DROP`,
    );
    const copied = await copyIntoStaging(client, stagingTable, layout, pages, opts.loadedAt);
    const added = await addNewColumns(client, stream.object, stagingTable, copied.newFields);
    const staging = stagingColumns(stagingTable, { ...layout, columns: [...layout.columns, ...added] });
    const written =
      stream.mode === 'incremental' || opts.trial
        ? await mergeRows(client, stream.object, staging)
        : await replaceRows(client, stream.object, staging);
    const field = stream.spec.incremental_key;
    if (field && !opts.trial) {
      await advanceCursor(client, stream.name, stream.object, `SELECT max(${ident(field)}) FROM ${ident(stagingTable)}`, opts.until);
    }
    if (opts.signal.aborted) throw new Error('interrupted before commit');
    await client.query('COMMIT');
    return { ...copied, written, addedColumns: added.map((c) => c.name) };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
