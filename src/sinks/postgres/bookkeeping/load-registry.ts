import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { objectName } from '../sql.js';
import { LOADS } from './schema.js';

/** A killed run's staged windows are reused by the next run only this soon after it started; older ones are dropped. */
export const RESUME_WITHIN_MS = 24 * 3600 * 1000;

/** A staged load as `pdsync.loads` keeps it: enough for the next run to resume it. */
export interface LoadRow {
  mode: string;
  staging: string;
  run_id: string;
  until: Date;
  started_at: Date;
  parts_done: string[];
  /** The replication (file) whose run staged it, so its next run can tell a stream or table it no longer loads. */
  replication: string | null;
}

export async function readLoad(client: PoolClient, stream: string, object: TableName): Promise<LoadRow | undefined> {
  const { rows } = await client.query<LoadRow>(
    `SELECT mode, staging, run_id, until, started_at, parts_done, replication FROM ${LOADS} WHERE stream = $1 AND object = $2`,
    [stream, objectName(object)],
  );
  return rows[0];
}

export async function registerLoad(client: PoolClient, stream: string, object: TableName, row: Omit<LoadRow, 'parts_done'>, partsDone: string[]): Promise<void> {
  await client.query(
    `INSERT INTO ${LOADS} (stream, object, mode, staging, run_id, until, started_at, parts_done, replication) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (stream, object) DO UPDATE SET mode = $3, staging = $4, run_id = $5, until = $6, started_at = $7, parts_done = $8, replication = $9`,
    [stream, objectName(object), row.mode, row.staging, row.run_id, row.until, row.started_at, partsDone, row.replication],
  );
}

export async function markPartDone(client: PoolClient, stream: string, object: TableName, part: string): Promise<void> {
  await client.query(`UPDATE ${LOADS} SET parts_done = array_append(parts_done, $3) WHERE stream = $1 AND object = $2`, [
    stream,
    objectName(object),
    part,
  ]);
}

/** Parts no longer done: they are read again. */
export async function forgetParts(client: PoolClient, stream: string, object: TableName, parts: string[]): Promise<void> {
  await client.query(`UPDATE ${LOADS} SET parts_done = ARRAY(SELECT p FROM unnest(parts_done) p WHERE NOT p = ANY($3)) WHERE stream = $1 AND object = $2`, [
    stream,
    objectName(object),
    parts,
  ]);
}

export async function forgetLoad(client: PoolClient, stream: string, object: TableName): Promise<void> {
  await client.query(`DELETE FROM ${LOADS} WHERE stream = $1 AND object = $2`, [stream, objectName(object)]);
}
