import type { PoolClient } from 'pg';
import type { QueuedEvent } from '../../../listen/webhook-event.js';
import type { PlannedStream } from '../../../plan/plan.js';
import type { ApiRecord } from '../../../record.js';
import { BatchCopy } from './batch-copy.js';
import { emptyReport } from './copy-row-encoder.js';
import { existingColumns } from '../tables/ddl.js';
import type { Privileges } from '../privileges.js';
import { applyRows } from './apply-rows.js';
import { ident, objectName, qualified } from '../sql.js';
import { stagingTable } from './staging-table.js';
import { evolveTable } from './table-evolution.js';
import { columnFor, tableLayout } from '../tables/table-layout.js';
import { recordEvents } from '../bookkeeping/webhook-events.js';

export interface ChangeBatch {
  events: QueuedEvent[];
  /** Incidents as `GET /incidents/{id}` gave them, after the events. */
  incidents: ApiRecord[];
  /** Their log entries since the last one the table held. */
  logEntries: ApiRecord[];
}

export interface ChangeResult {
  applied: QueuedEvent[];
  duplicates: QueuedEvent[];
}

/**
 * Applies webhook events in one transaction: the deliveries recorded (a repeated one is a
 * duplicate, and changes nothing), the incidents merged (a row changed later than the copy
 * read, by a run or an event applied meanwhile, is kept), their log entries merged. Tables are
 * made or evolved as a run's publish does.
 */
export type Touched = (client: PoolClient, stream: string, rows: string) => Promise<void>;

export async function applyChanges(
  client: PoolClient, p: Privileges, incidents: PlannedStream, logEntries: PlannedStream | undefined, batch: ChangeBatch, touched?: Touched,
): Promise<ChangeResult> {
  await client.query('BEGIN');
  try {
    const fresh = await recordEvents(client, batch.events, objectName(incidents.object));
    const applied = batch.events.filter((e) => fresh.has(e.webhookId));
    const changed = new Set(applied.map((e) => e.incidentId));
    const records = batch.incidents.filter((r) => changed.has(String(r.id)));
    if (records.length) await merge(client, p, incidents, records, touched);
    const entries = batch.logEntries.filter((r) => changed.has(String((r.incident as ApiRecord | undefined)?.id)));
    if (logEntries && entries.length) await merge(client, p, logEntries, entries, touched);
    await client.query('COMMIT');
    return { applied, duplicates: batch.events.filter((e) => !fresh.has(e.webhookId)) };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Stages records in a temporary table of the transaction, then merges them by key as an incremental publish does. */
async function merge(client: PoolClient, p: Privileges, stream: PlannedStream, records: ApiRecord[], touched: Touched | undefined): Promise<void> {
  const layout = tableLayout(stream.spec, stream.primaryKey, await existingColumns(client, stream.object), stream.columnCasing);
  const staging = stagingTable(`_pdsync_listen_${stream.name}`, layout, false);
  await client.query(`CREATE TEMP TABLE ${ident(staging.name.table)} (${staging.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ')}) ON COMMIT DROP`);
  const copy = new BatchCopy(client, staging, layout, new Date().toISOString(), emptyReport());
  await copy.add(records, 'webhook');
  await copy.flush();
  const table = await evolveTable(client, p, stream, layout, staging);
  const newerBy = stream.spec.newer_by && columnFor(layout, stream.spec.newer_by);
  await applyRows(client, stream.object, staging, table.columns, layout.key, {
    removal: { kind: 'none' }, newerBy, ...(touched ? { touched: (rows: string) => touched(client, stream.name, rows) } : {}),
  });
}

/** The newest log entry the table holds for each incident: log entries are read from there. */
export async function lastLogEntries(client: PoolClient, logEntries: PlannedStream, incidentIds: string[]): Promise<Map<string, Date>> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [qualified(logEntries.object)]);
  if (!rows[0]!.ok) return new Map();
  const layout = tableLayout(logEntries.spec, logEntries.primaryKey, await existingColumns(client, logEntries.object), logEntries.columnCasing);
  const idColumn = layout.columns.find((c) => c.derive?.from === 'incident' && !c.derive.many)?.name;
  if (!idColumn) return new Map();
  const incident = ident(idColumn);
  const created = ident(columnFor(layout, 'created_at'));
  const found = await client.query<{ id: string; at: Date }>(
    `SELECT ${incident} AS id, max(${created}) AS at FROM ${qualified(logEntries.object)} WHERE ${incident} = ANY($1) GROUP BY 1`,
    [incidentIds],
  );
  return new Map(found.rows.map((r) => [r.id, r.at]));
}
