import type { PoolClient } from 'pg';
import { refreshStatistics } from '../tables/statistics.js';
import type { PlannedStream } from '../../../plan/plan.js';
import { advanceCursor } from '../bookkeeping/bookkeeping.js';
import { forgetLoad } from '../bookkeeping/load-registry.js';
import type { Privileges } from '../privileges.js';
import { evolveTable } from './table-evolution.js';
import { ident, qualified } from '../sql.js';
import { dropStaging, type StagingTable } from './staging-table.js';
import { columnFor, type TableLayout } from '../tables/table-layout.js';
import { applyRows, type Removal } from './apply-rows.js';
import { fillStagedTeamIds } from '../tables/team-ids.js';
import { inTransaction } from '../transaction.js';

export interface PublishOptions {
  /** The run's fixed end of history: the cursor never passes it. */
  until: string;
  /** When the load began reading: a full refresh keeps rows another writer wrote since. */
  readStart: string;
  /** An incremental child stream: the parents read again, whose children the load replaces. */
  parents?: string[];
  /** Told the rows of the table a change touches, before and after it (the relations kept by change). */
  touched?: (rows: string) => Promise<void>;
  /** A `--limit` trial: merged (never replacing a table), and no cursor moves. */
  trial: boolean;
  signal: AbortSignal;
}

export interface Published {
  /** Rows the load stands for (one per key read). */
  written: number;
  /** Of those, rows new or changed, and rows removed (not read again). */
  changed: number;
  removed: number;
  addedColumns: string[];
  /** New fields with no column, because the table is another role's: kept in `_pdsync_rejected`. */
  unplaced: { fields: string[]; owner: string };
}

/** The rows a load stands for but did not read go: all of them in a full refresh, a re-read parent's in an incremental child stream. */
function removalOf(stream: PlannedStream, layout: TableLayout, o: PublishOptions): Removal {
  if (o.trial) return { kind: 'none' };
  if (stream.mode === 'full-refresh') return { kind: 'unread', readStart: o.readStart };
  if (stream.parent && o.parents) return { kind: 'parents', column: columnFor(layout, stream.parent.column), keys: o.parents };
  return { kind: 'none' };
}

async function keysStaged(client: PoolClient, staging: StagingTable, key: string[]): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT DISTINCT ${key.map(ident).join(', ')} FROM ${qualified(staging.name)}) k`);
  return Number(rows[0]!.n);
}

/**
 * Publishes a staged load in one transaction that waits on nothing but the database: bring the
 * table to the load's shape (see evolveTable), write what differs (see applyRows: new and changed
 * rows, and in a full refresh the removal of rows not read), move the cursor, and drop the
 * staging. Readers see the old rows or the new, never a mix. statement_timeout is lifted for this transaction alone, as pg_dump does: a
 * million-row replacement outlasts the few seconds a managed server allows a statement.
 */
export async function publish(client: PoolClient, p: Privileges, stream: PlannedStream, layout: TableLayout, staging: StagingTable, o: PublishOptions): Promise<Published> {
  const published = await inTransaction(client, async () => {
    const table = await evolveTable(client, p, stream, layout, staging);
    await fillStagedTeamIds(client, stream, staging.name, staging.columns);
    const newerBy = stream.spec.newer_by && columnFor(layout, stream.spec.newer_by);
    const applied = await applyRows(client, stream.object, staging, table.columns, layout.key, { removal: removalOf(stream, layout, o), newerBy, ...(o.touched ? { touched: o.touched } : {}) });
    const written = await keysStaged(client, staging, layout.key);
    const field = stream.spec.incremental_key;
    // A backfill re-reads a window of the past: the cursor stays where the incremental runs left it.
    if (field && !o.trial && stream.mode !== 'backfill') {
      await advanceCursor(client, stream.name, stream.object, `SELECT max(${ident(columnFor(layout, field))}) FROM ${qualified(staging.name)}`, o.until, table.fresh);
    }
    if (staging.persistent) await forgetLoad(client, stream.name, stream.object);
    await dropStaging(client, staging.name);
    if (o.signal.aborted) throw new Error('interrupted before commit');
    return { written, changed: applied.changed, removed: applied.removed, addedColumns: table.added, unplaced: table.unplaced };
  }, { unbounded: true });
  await refreshStatistics(client, stream.object, published.changed + published.removed);
  return published;
}
