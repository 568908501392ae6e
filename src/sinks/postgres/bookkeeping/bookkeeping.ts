import type { SavedState } from '../../target.js';
import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { ensureSchema, lockDdl } from '../tables/ddl.js';
import { canCreateIn, type Privileges, privilegesOf, tableExists } from '../privileges.js';
import { ident, literal, objectName } from '../sql.js';
import { TargetError } from '../../../errors.js';
import { inTransaction } from '../transaction.js';
import { BOOKKEEPING_SCHEMA, bookkeeping, STATE } from './schema.js';

/** pdsync's own tables live in this schema of the target. */

const TABLES: Record<string, string> = {
  state: `stream text NOT NULL, object text NOT NULL, cursor timestamptz, updated_at timestamptz NOT NULL DEFAULT now(),
          synced_until timestamptz, PRIMARY KEY (stream, object)`,
  runs: `run_id text PRIMARY KEY, started_at timestamptz NOT NULL, finished_at timestamptz, status text NOT NULL,
         streams jsonb NOT NULL DEFAULT '[]', error text`,
  // A load's staged batches, kept until published so a killed run's work can be resumed.
  loads: `stream text NOT NULL, object text NOT NULL, mode text NOT NULL, staging text NOT NULL, run_id text NOT NULL,
          until timestamptz NOT NULL, started_at timestamptz NOT NULL, parts_done text[] NOT NULL DEFAULT '{}',
          replication text, PRIMARY KEY (stream, object)`,
  // Scopes of analytics relations that changes touched, until the relations are kept (see relations/pending.ts).
  relation_pending: `relation text NOT NULL, scope text[] NOT NULL`,
};

/**
 * Creates the `pdsync` schema and its tables when missing: `state` (one cursor per stream and
 * object), `runs` (run history) and `loads` (staged loads). What exists is used as it is, so a
 * role that may only write rows to them works too.
 */
export async function ensureBookkeeping(client: PoolClient): Promise<Privileges> {
  const p = await privilegesOf(client);
  const missing: string[] = [];
  for (const t of Object.keys(TABLES)) if (!(await tableExists(client, { schema: BOOKKEEPING_SCHEMA, table: t }))) missing.push(t);
  if (missing.length === 0) {
    await addMissingColumns(client, p);
    return p;
  }
  await inTransaction(client, async () => {
    await lockDdl(client);
    await ensureSchema(client, p, BOOKKEEPING_SCHEMA);
    for (const t of missing) {
      if (await tableExists(client, { schema: BOOKKEEPING_SCHEMA, table: t })) continue;
      if (!(await canCreateIn(client, BOOKKEEPING_SCHEMA))) {
        throw new TargetError(`table pdsync.${t} does not exist and role ${p.role} may not create it: GRANT CREATE ON SCHEMA pdsync TO ${ident(p.role)}`);
      }
      await client.query(`CREATE TABLE ${ident(BOOKKEEPING_SCHEMA)}.${ident(t)} (${TABLES[t]})`);
    }
  });
  return p;
}

/** Columns later versions added to pdsync's tables: table, column, type. */
const ADDED: [string, string, string][] = [
  ['state', 'synced_until', 'timestamptz'],
  ['loads', 'replication', 'text'],
];

/** Tables made by an older pdsync get the columns they lack (their owner adds them; another role is told how). */
async function addMissingColumns(client: PoolClient, p: Privileges): Promise<void> {
  for (const [table, column, type] of ADDED) {
    const { rows } = await client.query<{ has: boolean; owns: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $3 AND table_name = $1 AND column_name = $2) AS has,
              pg_has_role((SELECT relowner FROM pg_class WHERE oid = to_regclass($4)), 'USAGE') AS owns`,
      [table, column, BOOKKEEPING_SCHEMA, bookkeeping(table)],
    );
    if (rows[0]!.has) continue;
    const add = `ALTER TABLE ${bookkeeping(table)} ADD COLUMN IF NOT EXISTS ${ident(column)} ${type}`;
    if (!rows[0]!.owns) throw new TargetError(`pdsync.${table} was made by an older pdsync and lacks column ${column}, which role ${p.role} may not add: as its owner, ${add}`);
    await client.query(add);
  }
}

export type { SavedState };

export async function readState(client: PoolClient, stream: string, object: TableName): Promise<SavedState> {
  const { rows } = await client.query<Record<string, Date | null>>(`SELECT * FROM ${STATE} WHERE stream = $1 AND object = $2`, [stream, objectName(object)]);
  return { cursor: rows[0]?.cursor ?? undefined, syncedUntil: rows[0]?.synced_until ?? undefined };
}

export async function readCursor(client: PoolClient, stream: string, object: TableName): Promise<Date | undefined> {
  return (await readState(client, stream, object)).cursor;
}

/**
 * Moves a stream's cursor forward (never back) to the largest value of `maxSeenSql`, capped at the
 * run's `until`, and records `until` as synced; a run that saw no rows leaves the cursor where it was. `fresh`: the table was created by
 * this load, so a cursor left from a table of the same name before it is replaced, not kept.
 * Runs inside the transaction that publishes the rows.
 */
export async function advanceCursor(client: PoolClient, stream: string, object: TableName, maxSeenSql: string, until: string, fresh: boolean): Promise<void> {
  const merge = fresh ? 'EXCLUDED.cursor' : 'GREATEST(s.cursor, EXCLUDED.cursor)';
  await client.query(
    `INSERT INTO ${STATE} AS s (stream, object, cursor, synced_until, updated_at)
     SELECT $1, $2, CASE WHEN m IS NULL THEN NULL ELSE LEAST(m, $3::timestamptz) END, $3::timestamptz, now() FROM (${maxSeenSql}) seen(m)
     ON CONFLICT (stream, object) DO UPDATE SET cursor = ${merge}, synced_until = EXCLUDED.synced_until, updated_at = now()`,
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
  // Reading writes nothing: a database pdsync never ran against simply has no state yet.
  const { rows: here } = await client.query<{ here: boolean }>(`SELECT to_regclass(${literal(STATE)}) IS NOT NULL AS here`);
  if (!here[0]!.here) return [];
  const { rows } = await client.query<StateRow>(`SELECT stream, object, cursor, updated_at FROM ${STATE} ORDER BY stream, object`);
  return rows;
}

/** Forgets a stream's cursor for one table: its next incremental run reads the whole history again. */
export async function resetState(client: PoolClient, stream: string, object: TableName): Promise<number> {
  const { rowCount } = await client.query(`DELETE FROM ${STATE} WHERE stream = $1 AND object = $2`, [stream, objectName(object)]);
  return rowCount ?? 0;
}
