import type { PoolClient } from 'pg';
import type { PlannedStream } from '../plan/plan.js';
import { advanceCursor } from './bookkeeping.js';
import { addColumns, createTable, ensureSchema, lockDdl } from './ddl.js';
import { forgetLoad } from './load-registry.js';
import { fillNewColumns, keepUnmappedAsRejected, stagedNewFields } from './new-fields.js';
import { ownsTable, type Privileges, tableExists } from './privileges.js';
import { ident, qualified } from './sql.js';
import { dropStaging, type StagingTable } from './staging-table.js';
import { SEQ, type ColumnLayout, type TableLayout } from './table-layout.js';

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

async function writeRows(client: PoolClient, stream: PlannedStream, staging: StagingTable, columns: ColumnLayout[], keyNames: string[], replace: boolean): Promise<number> {
  const live = qualified(stream.object);
  const names = columns.map((c) => ident(c.name)).join(', ');
  const key = keyNames.map(ident).join(', ');
  if (replace) {
    // DELETE, not TRUNCATE, so readers see the old rows until COMMIT; the table itself (grants, views, indexes) stays.
    await client.query(`DELETE FROM ${live}`);
    return (await client.query(`INSERT INTO ${live} (${names}) ${latestPerKey(staging, names, key)}`)).rowCount ?? 0;
  }
  const updates = columns.filter((c) => !keyNames.includes(c.name)).map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`).join(', ');
  return (await client.query(`INSERT INTO ${live} (${names}) ${latestPerKey(staging, names, key)} ON CONFLICT (${key}) DO UPDATE SET ${updates}`)).rowCount ?? 0;
}

/**
 * Publishes a staged load in one transaction that waits on nothing but the database: create the
 * table if this is its first load, add columns for new fields, replace (full refresh) or merge
 * (incremental) its rows, move the cursor, and drop the staging. Readers see the old rows or the
 * new, never a mix. statement_timeout is lifted for this transaction alone, as pg_dump does: a
 * million-row replacement outlasts the few seconds a managed server allows a statement.
 */
export async function publish(client: PoolClient, p: Privileges, stream: PlannedStream, layout: TableLayout, staging: StagingTable, o: PublishOptions): Promise<Published> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    let fresh = false;
    if (!(await tableExists(client, stream.object))) {
      await lockDdl(client);
      await ensureSchema(client, p, stream.object.schema);
      if (!(await tableExists(client, stream.object))) {
        await createTable(client, stream.object, layout.columns, layout.key, stream.spec.description);
        fresh = true;
      }
    }
    const found = await stagedNewFields(client, staging);
    const owner = found.length ? await ownsTable(client, stream.object) : { owns: true, owner: p.role };
    const added = owner.owns ? found : [];
    if (owner.owns && found.length) {
      const note = `Added by pdsync on ${new Date().toISOString().slice(0, 10)}, when the API started sending this field.`;
      await addColumns(client, stream.object, found.map((f) => ({ ...f, description: note })));
      await fillNewColumns(client, staging, found);
    } else if (found.length) {
      await keepUnmappedAsRejected(client, staging);
    }
    const columns = [...layout.columns, ...added];
    const written = await writeRows(client, stream, staging, columns, layout.key, stream.mode === 'full-refresh' && !o.trial);
    const field = stream.spec.incremental_key;
    if (field && !o.trial) {
      await advanceCursor(client, stream.name, stream.object, `SELECT max(${ident(field)}) FROM ${qualified(staging.name)}`, o.until, fresh);
    }
    if (staging.persistent) await forgetLoad(client, stream.name, stream.object);
    await dropStaging(client, staging.name);
    if (o.signal.aborted) throw new Error('interrupted before commit');
    await client.query('COMMIT');
    return {
      written,
      addedColumns: added.map((f) => f.name),
      unplaced: { fields: owner.owns ? [] : found.map((f) => f.name), owner: owner.owner },
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
