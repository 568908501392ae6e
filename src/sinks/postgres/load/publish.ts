import type { PoolClient } from 'pg';
import type { PlannedStream, TableName } from '../../../plan/plan.js';
import { advanceCursor } from '../bookkeeping/bookkeeping.js';
import { forgetLoad } from '../bookkeeping/load-registry.js';
import type { Privileges } from '../privileges.js';
import { evolveTable } from './table-evolution.js';
import { ident, qualified } from '../sql.js';
import { dropStaging, type StagingTable } from './staging-table.js';
import { columnFor, SEQ, type ColumnLayout, type TableLayout } from '../tables/table-layout.js';

export interface PublishOptions {
  /** The run's fixed end of history: the cursor never passes it. */
  until: string;
  /** A `--limit` trial: merged (never replacing a table), and no cursor moves. */
  trial: boolean;
  signal: AbortSignal;
}

export interface Published {
  written: number;
  addedColumns: string[];
  /** New fields with no column, because the table is another role's: kept in `_pdsync_rejected`. */
  unplaced: { fields: string[]; owner: string };
}

/** One row per key from staging: the last one loaded (a record can come twice: a window edge, a change feed). */
function latestPerKey(staging: StagingTable, columns: string, key: string): string {
  return `SELECT DISTINCT ON (${key}) ${columns} FROM ${qualified(staging.name)} ORDER BY ${key}, ${ident(SEQ)} DESC`;
}

/**
 * Replaces the table's rows with the staged ones, or merges them by key. `newerBy`: a merge keeps a
 * row whose value in that column is later than the staged one (a change never goes back in time).
 */
export async function writeRows(
  client: PoolClient, object: TableName, staging: StagingTable, columns: ColumnLayout[], keyNames: string[], replace: boolean, newerBy?: string,
): Promise<number> {
  const live = qualified(object);
  const names = columns.map((c) => ident(c.name)).join(', ');
  const key = keyNames.map(ident).join(', ');
  if (replace) {
    // DELETE, not TRUNCATE, so readers see the old rows until COMMIT; the table itself (grants, views, indexes) stays.
    await client.query(`DELETE FROM ${live}`);
    return (await client.query(`INSERT INTO ${live} (${names}) ${latestPerKey(staging, names, key)}`)).rowCount ?? 0;
  }
  const updates = columns.filter((c) => !keyNames.includes(c.name)).map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`).join(', ');
  const guard = newerBy ? ` WHERE live.${ident(newerBy)} IS NULL OR EXCLUDED.${ident(newerBy)} IS NULL OR EXCLUDED.${ident(newerBy)} >= live.${ident(newerBy)}` : '';
  return (await client.query(`INSERT INTO ${live} AS live (${names}) ${latestPerKey(staging, names, key)} ON CONFLICT (${key}) DO UPDATE SET ${updates}${guard}`)).rowCount ?? 0;
}

/**
 * Publishes a staged load in one transaction that waits on nothing but the database: bring the
 * table to the load's shape (see evolveTable), replace (full refresh) or merge
 * (incremental) its rows, move the cursor, and drop the staging. Readers see the old rows or the
 * new, never a mix. statement_timeout is lifted for this transaction alone, as pg_dump does: a
 * million-row replacement outlasts the few seconds a managed server allows a statement.
 */
export async function publish(client: PoolClient, p: Privileges, stream: PlannedStream, layout: TableLayout, staging: StagingTable, o: PublishOptions): Promise<Published> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    const table = await evolveTable(client, p, stream, layout, staging);
    const replace = stream.mode === 'full-refresh' && !o.trial;
    const newerBy = stream.spec.newer_by && columnFor(layout, stream.spec.newer_by);
    const written = await writeRows(client, stream.object, staging, table.columns, layout.key, replace, newerBy);
    const field = stream.spec.incremental_key;
    if (field && !o.trial) {
      await advanceCursor(client, stream.name, stream.object, `SELECT max(${ident(columnFor(layout, field))}) FROM ${qualified(staging.name)}`, o.until, table.fresh);
    }
    if (staging.persistent) await forgetLoad(client, stream.name, stream.object);
    await dropStaging(client, staging.name);
    if (o.signal.aborted) throw new Error('interrupted before commit');
    await client.query('COMMIT');
    return { written, addedColumns: table.added, unplaced: table.unplaced };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
