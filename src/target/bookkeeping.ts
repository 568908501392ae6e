import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import { ensureSchema, lockDdl } from './ddl.js';
import { canCreateIn, type Privileges, privilegesOf, tableExists } from './privileges.js';
import { ident, objectName } from './sql.js';
import { TargetError } from '../errors.js';

/** pdsync's own tables live in this schema of the target. */
export const BOOKKEEPING_SCHEMA = 'pdsync';

const TABLES: Record<string, string> = {
  state: `stream text NOT NULL, object text NOT NULL, cursor timestamptz, updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (stream, object)`,
  runs: `run_id text PRIMARY KEY, started_at timestamptz NOT NULL, finished_at timestamptz, status text NOT NULL,
         streams jsonb NOT NULL DEFAULT '[]', error text`,
  // A load's staged batches, kept until published so a killed run's work can be resumed.
  loads: `stream text NOT NULL, object text NOT NULL, mode text NOT NULL, staging text NOT NULL, run_id text NOT NULL,
          until timestamptz NOT NULL, started_at timestamptz NOT NULL, parts_done text[] NOT NULL DEFAULT '{}',
          PRIMARY KEY (stream, object)`,
};

/**
 * Creates the `pdsync` schema and its tables when missing: `state` (one cursor per stream and
 * object), `runs` (run history) and `loads` (staged loads). What exists is used as it is, so a
 * role that may only write rows to them works too.
 */
export async function ensureBookkeeping(client: PoolClient): Promise<Privileges> {
  const p = await privilegesOf(client);
  const missing = [];
  for (const t of Object.keys(TABLES)) if (!(await tableExists(client, { schema: BOOKKEEPING_SCHEMA, table: t }))) missing.push(t);
  if (missing.length === 0) return p;
  await client.query('BEGIN');
  try {
    await lockDdl(client);
    await ensureSchema(client, p, BOOKKEEPING_SCHEMA);
    for (const t of missing) {
      if (await tableExists(client, { schema: BOOKKEEPING_SCHEMA, table: t })) continue;
      if (!(await canCreateIn(client, BOOKKEEPING_SCHEMA))) {
        throw new TargetError(`table pdsync.${t} does not exist and role ${p.role} may not create it: GRANT CREATE ON SCHEMA pdsync TO ${ident(p.role)}`);
      }
      await client.query(`CREATE TABLE ${ident(BOOKKEEPING_SCHEMA)}.${ident(t)} (${TABLES[t]})`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return p;
}

export async function readCursor(client: PoolClient, stream: string, object: TableName): Promise<Date | undefined> {
  const { rows } = await client.query<{ cursor: Date | null }>('SELECT cursor FROM pdsync.state WHERE stream = $1 AND object = $2', [
    stream,
    objectName(object),
  ]);
  return rows[0]?.cursor ?? undefined;
}

/**
 * Moves a stream's cursor forward (never back) to the largest value of `maxSeenSql`, capped at the
 * run's `until`; a run that saw no rows leaves it where it was. `fresh`: the table was created by
 * this load, so a cursor left from a table of the same name before it is replaced, not kept.
 * Runs inside the transaction that publishes the rows.
 */
export async function advanceCursor(client: PoolClient, stream: string, object: TableName, maxSeenSql: string, until: string, fresh: boolean): Promise<void> {
  const merge = fresh ? 'EXCLUDED.cursor' : 'GREATEST(s.cursor, EXCLUDED.cursor)';
  await client.query(
    `INSERT INTO pdsync.state AS s (stream, object, cursor, updated_at)
     SELECT $1, $2, CASE WHEN m IS NULL THEN NULL ELSE LEAST(m, $3::timestamptz) END, now() FROM (${maxSeenSql}) seen(m)
     ON CONFLICT (stream, object) DO UPDATE SET cursor = ${merge}, updated_at = now()`,
    [stream, objectName(object), until],
  );
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
