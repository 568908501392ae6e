import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { ident, qualified } from '../sql.js';
import type { StagingTable } from './staging-table.js';
import { type ColumnLayout, LOADED_AT, SEQ } from '../tables/table-layout.js';

/** Which of the table's rows a load stands for: those it did not read go (a full refresh; a child's re-read parents). */
export type Removal =
  | { kind: 'none' }
  /** A full refresh: every row not read goes, but a row another writer (listen, a run) wrote after the read began. */
  | { kind: 'unread'; readStart: string }
  /** An incremental child stream: the rows of the parents read again that were not read (a deleted note). */
  | { kind: 'parents'; column: string; keys: string[] };

export interface ApplyOptions {
  removal: Removal;
  /** A row whose value here is later than the staged copy's changed after it was read: it is kept. */
  newerBy?: string | undefined;
  /** Told the rows of the table a change touches (a FROM item), before and after: the relations kept by change read them. */
  touched?: (rows: string) => Promise<void>;
}

export interface Applied {
  /** Rows inserted or changed. */
  changed: number;
  /** Rows removed. */
  removed: number;
}

/** One row per key from staging: the last one loaded (a record can come twice: a window edge, a change feed). */
function latestPerKey(staging: StagingTable, columns: string, key: string): string {
  return `SELECT DISTINCT ON (${key}) ${columns} FROM ${qualified(staging.name)} ORDER BY ${key}, ${ident(SEQ)} DESC`;
}

const CHANGED = ident('_pdsync_changed');
const GONE = ident('_pdsync_gone');

/**
 * Writes a staged load to its table, touching only what differs: staged rows new or changed
 * (their content, not when they were loaded) are inserted or updated, and rows the load stands
 * for but did not read are removed. Unchanged rows are left as they are, so an idle rerun writes
 * nothing and the relations kept by change have nothing to redo. Inside the caller's transaction.
 */
export async function applyRows(
  client: PoolClient, object: TableName, staging: StagingTable, columns: ColumnLayout[], keyNames: string[], o: ApplyOptions,
): Promise<Applied> {
  const live = qualified(object);
  const names = columns.map((c) => ident(c.name)).join(', ');
  const key = keyNames.map(ident).join(', ');
  const on = keyNames.map((k) => `l.${ident(k)} = s.${ident(k)}`).join(' AND ');
  const compared = columns.filter((c) => c.name !== LOADED_AT && !keyNames.includes(c.name)).map((c) => ident(c.name));
  const differs = compared.length ? `ROW(${compared.map((c) => `l.${c}`).join(', ')}) IS DISTINCT FROM ROW(${compared.map((c) => `s.${c}`).join(', ')})` : 'false';
  const newer = o.newerBy ? ` AND NOT (l.${ident(o.newerBy)} IS NOT NULL AND s.${ident(o.newerBy)} IS NOT NULL AND l.${ident(o.newerBy)} > s.${ident(o.newerBy)})` : '';
  await client.query(`DROP TABLE IF EXISTS pg_temp.${CHANGED}, pg_temp.${GONE}`);
  await client.query(
    `CREATE TEMP TABLE ${CHANGED} ON COMMIT DROP AS SELECT s.* FROM (${latestPerKey(staging, names, key)}) s LEFT JOIN ${live} l ON ${on}
     WHERE l.${ident(keyNames[0]!)} IS NULL OR (${differs}${newer})`,
  );
  await client.query(`CREATE TEMP TABLE ${GONE} ON COMMIT DROP AS SELECT ${keyNames.map((k) => `l.${ident(k)}`).join(', ')} FROM ${live} l WITH NO DATA`);
  const gone = unread(live, staging, keyNames, o.removal);
  if (gone) await client.query(`INSERT INTO ${GONE} ${gone.sql}`, gone.params);
  const affected = `(SELECT l.* FROM ${live} l WHERE (${key}) IN (SELECT ${key} FROM ${CHANGED} UNION ALL SELECT ${key} FROM ${GONE}))`;
  await o.touched?.(affected);
  const removed = gone
    ? ((await client.query(`DELETE FROM ${live} l USING ${GONE} g WHERE ${keyNames.map((k) => `l.${ident(k)} = g.${ident(k)}`).join(' AND ')}${gone.guard}`, gone.guardParams)).rowCount ?? 0)
    : 0;
  const updates = columns.filter((c) => !keyNames.includes(c.name)).map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`).join(', ');
  // The guard again: a writer that committed since the comparison (listen) may hold a newer copy now.
  const guard = o.newerBy
    ? ` WHERE live.${ident(o.newerBy)} IS NULL OR EXCLUDED.${ident(o.newerBy)} IS NULL OR EXCLUDED.${ident(o.newerBy)} >= live.${ident(o.newerBy)}`
    : '';
  const conflict = updates ? `DO UPDATE SET ${updates}${guard}` : 'DO NOTHING';
  const changed = (await client.query(`INSERT INTO ${live} AS live (${names}) SELECT ${names} FROM ${CHANGED} ON CONFLICT (${key}) ${conflict}`)).rowCount ?? 0;
  await o.touched?.(affected);
  await client.query(`DROP TABLE pg_temp.${CHANGED}, pg_temp.${GONE}`);
  return { changed, removed };
}

/** The rows a load stands for but did not read, and the guard their removal is checked by again (another writer may commit meanwhile). */
function unread(live: string, staging: StagingTable, keyNames: string[], removal: Removal): { sql: string; params: unknown[]; guard: string; guardParams: unknown[] } | undefined {
  const key = keyNames.map((k) => `l.${ident(k)}`).join(', ');
  const notStaged = `NOT EXISTS (SELECT 1 FROM ${qualified(staging.name)} s WHERE ${keyNames.map((k) => `s.${ident(k)} = l.${ident(k)}`).join(' AND ')})`;
  switch (removal.kind) {
    case 'none':
      return undefined;
    case 'unread': {
      // A full refresh keeps what another writer wrote after its read began: it could not have read it.
      const guard = ` AND (l.${ident(LOADED_AT)} IS NULL OR l.${ident(LOADED_AT)} < $1::timestamptz)`;
      return { sql: `SELECT ${key} FROM ${live} l WHERE ${notStaged}${guard}`, params: [removal.readStart], guard, guardParams: [removal.readStart] };
    }
    case 'parents':
      return { sql: `SELECT ${key} FROM ${live} l WHERE l.${ident(removal.column)} = ANY($1::text[]) AND ${notStaged}`, params: [removal.keys], guard: '', guardParams: [] };
  }
}
