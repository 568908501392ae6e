import type { PoolClient } from 'pg';
import type { PlannedStream } from '../../../plan/plan.js';
import type { ApiRecord } from '../../../record.js';
import { BatchCopy } from './batch-copy.js';
import { emptyReport } from './copy-row-encoder.js';
import { databaseNow } from '../database-clock.js';
import { existingColumns } from '../tables/ddl.js';
import type { Privileges } from '../privileges.js';
import { applyRows } from './apply-rows.js';
import { ident, objectName } from '../sql.js';
import { stagingTable } from './staging-table.js';
import { evolveTable } from './table-evolution.js';
import { columnFor, streamLayout } from '../tables/table-layout.js';
import { type AppliedEvent, recordEvents } from '../bookkeeping/webhook-events.js';
import { inTransaction } from '../transaction.js';

export interface ChangeBatch {
  events: AppliedEvent[];
  /** Incidents as they are now: those the change feed named, and those read one by one. */
  incidents: ApiRecord[];
  /** The change feed's log entries. */
  logEntries: ApiRecord[];
}

export interface ChangeResult {
  applied: AppliedEvent[];
  duplicates: AppliedEvent[];
}

export type Touched = (client: PoolClient, stream: string, rows: string) => Promise<void>;

/**
 * Applies webhook events in one transaction: the deliveries recorded (a repeated one is a
 * duplicate), the incidents merged (a row changed later than the copy read, by a run or an event
 * applied meanwhile, is kept), the log entries merged, and the scopes of the relations their
 * changes touch recorded. Tables are made or evolved as a run's publish does.
 */
export async function applyChanges(
  client: PoolClient, p: Privileges, incidents: PlannedStream, logEntries: PlannedStream | undefined, batch: ChangeBatch, touched?: Touched,
): Promise<ChangeResult> {
  // A run's publish may hold these rows for longer than a managed server's statement_timeout: wait for it, as publish does.
  return inTransaction(client, async () => {
    const fresh = await recordEvents(client, batch.events, objectName(incidents.object));
    const applied = batch.events.filter((e) => fresh.has(e.webhookId));
    if (batch.incidents.length) await merge(client, p, incidents, batch.incidents, touched);
    if (logEntries && batch.logEntries.length) await merge(client, p, logEntries, batch.logEntries, touched);
    return { applied, duplicates: batch.events.filter((e) => !fresh.has(e.webhookId)) };
  }, { unbounded: true });
}

/** Stages records in a temporary table of the transaction, then merges them by key as an incremental publish does. */
async function merge(client: PoolClient, p: Privileges, stream: PlannedStream, records: ApiRecord[], touched: Touched | undefined): Promise<void> {
  const layout = streamLayout(stream, await existingColumns(client, stream.object));
  const staging = stagingTable(`_pdsync_listen_${stream.name}`, layout, false);
  await client.query(`CREATE TEMP TABLE ${ident(staging.name.table)} (${staging.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ')}) ON COMMIT DROP`);
  const copy = new BatchCopy(client, staging, layout, (await databaseNow(client)).toISOString(), emptyReport());
  await copy.add(records, 'webhook');
  await copy.flush();
  const table = await evolveTable(client, p, stream, layout, staging);
  const newerBy = stream.spec.newer_by && columnFor(layout, stream.spec.newer_by);
  await applyRows(client, stream.object, staging, table.columns, layout.key, {
    removal: { kind: 'none' }, newerBy, ...(touched ? { touched: (rows: string) => touched(client, stream.name, rows) } : {}),
  });
}
