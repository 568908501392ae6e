import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import { ensureSchema } from './table-ddl.js';

/** pdsync's own tables live in this schema of the target. */
export const BOOKKEEPING_SCHEMA = 'pdsync';

/** Creates `pdsync.state` (one cursor per stream and object) and `pdsync.runs` (run history). */
export async function ensureBookkeeping(client: PoolClient): Promise<void> {
  await ensureSchema(client, BOOKKEEPING_SCHEMA);
  await client.query(`CREATE TABLE IF NOT EXISTS pdsync.state (
    stream text NOT NULL,
    object text NOT NULL,
    cursor timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, object))`);
  await client.query(`CREATE TABLE IF NOT EXISTS pdsync.runs (
    run_id text PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL,
    streams jsonb NOT NULL DEFAULT '[]',
    error text)`);
}

export function objectName(t: TableName): string {
  return `${t.schema}.${t.table}`;
}

export async function readCursor(client: PoolClient, stream: string, object: TableName): Promise<Date | undefined> {
  const { rows } = await client.query<{ cursor: Date | null }>(
    'SELECT cursor FROM pdsync.state WHERE stream = $1 AND object = $2',
    [stream, objectName(object)],
  );
  return rows[0]?.cursor ?? undefined;
}

export async function forgetCursor(client: PoolClient, stream: string, object: TableName): Promise<void> {
  await client.query('DELETE FROM pdsync.state WHERE stream = $1 AND object = $2', [stream, objectName(object)]);
}

/**
 * Moves a stream's cursor forward (never back) to the largest value of `field` in the staging
 * table, capped at the run's `until`; a run that saw no rows leaves it where it was. Runs inside
 * the transaction that commits the rows.
 */
export async function advanceCursor(
  client: PoolClient,
  stream: string,
  object: TableName,
  maxSeenSql: string,
  until: string,
): Promise<void> {
  await client.query(
    `INSERT INTO pdsync.state AS s (stream, object, cursor, updated_at)
     SELECT $1, $2, CASE WHEN m IS NULL THEN NULL ELSE LEAST(m, $3::timestamptz) END, now() FROM (${maxSeenSql}) seen(m)
     ON CONFLICT (stream, object) DO UPDATE
       SET cursor = GREATEST(s.cursor, EXCLUDED.cursor), updated_at = now()`,
    [stream, objectName(object), until],
  );
}

/** Serialises runs per target object: waits for another run's transaction, saying so once. */
export async function lockObject(client: PoolClient, object: TableName, onWait: () => void): Promise<void> {
  const key = `pdsync:${objectName(object)}`;
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [key]);
  if (rows[0]?.ok) return;
  onWait();
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
}

export interface StateRow {
  stream: string;
  object: string;
  cursor: Date | null;
  updated_at: Date;
}

export async function listState(client: PoolClient): Promise<StateRow[]> {
  const { rows } = await client.query<StateRow>('SELECT stream, object, cursor, updated_at FROM pdsync.state ORDER BY stream, object');
  return rows;
}

/** Forgets a stream's cursor for one table: its next incremental run reads the whole history again. */
export async function resetState(client: PoolClient, stream: string, object: TableName): Promise<number> {
  const { rowCount } = await client.query('DELETE FROM pdsync.state WHERE stream = $1 AND object = $2', [stream, objectName(object)]);
  return rowCount ?? 0;
}

export async function recordRunStart(client: PoolClient, runId: string, startedAt: string): Promise<void> {
  await client.query(`INSERT INTO pdsync.runs (run_id, started_at, status) VALUES ($1, $2, 'running')`, [runId, startedAt]);
}

export async function recordRunEnd(
  client: PoolClient,
  runId: string,
  status: string,
  streams: unknown[],
  error: string | null,
): Promise<void> {
  await client.query(
    'UPDATE pdsync.runs SET finished_at = now(), status = $2, streams = $3, error = $4 WHERE run_id = $1',
    [runId, status, JSON.stringify(streams), error],
  );
}
