import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { BOOKKEEPING_SCHEMA } from '../bookkeeping/schema.js';
import { ident, qualified } from '../sql.js';
import type { TableName } from '../../../plan/plan.js';
import type { InputIndex, Relation } from './relation.js';

/** Runs `work` in a savepoint: whether it succeeded, the transaction goes on either way. */
async function attempt(client: PoolClient, work: () => Promise<unknown>): Promise<boolean> {
  await client.query('SAVEPOINT relation_input');
  try {
    await work();
    await client.query('RELEASE SAVEPOINT relation_input');
    return true;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT relation_input');
    return false;
  }
}

/**
 * The server's time zone names as a table: pg_timezone_names reads the zone files on every call
 * (~100 ms), which a listen batch cannot afford. Kept in the bookkeeping schema, filled once;
 * where pdsync may not create it there, a temporary copy for this transaction.
 */
export async function timeZoneTable(client: PoolClient): Promise<string> {
  const table = qualified({ schema: BOOKKEEPING_SCHEMA, table: 'time_zones' });
  const { rows } = await client.query<{ here: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS here`, [table]);
  if (rows[0]!.here) return table;
  const made = await attempt(client, async () => {
    await client.query(`CREATE TABLE ${table} (name text PRIMARY KEY)`);
    await client.query(`INSERT INTO ${table} SELECT DISTINCT name FROM pg_timezone_names`);
  });
  if (made) return table;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS pdsync_time_zones ON COMMIT DROP AS SELECT DISTINCT name FROM pg_timezone_names`);
  return 'pg_temp.pdsync_time_zones';
}

/** An index name of its own, under PostgreSQL's 63 bytes. */
function indexName(table: string, ix: InputIndex): string {
  const what = [table, ix.columns.join(','), ix.where ?? '', ...(ix.include ? [ix.include.join(',')] : [])].join('\0');
  return `pdsync_rel_${createHash('sha256').update(what).digest('hex').slice(0, 16)}`;
}

/**
 * The indexes on input tables that keeping a relation by change relies on (a user's weeks of
 * acknowledgements among a million log entries). Made once, when pdsync may (it owns the table);
 * without them the relation is the same, only slower to keep.
 */
export async function ensureInputIndexes(client: PoolClient, r: Relation, tables: Record<string, TableName>, present: Set<string>): Promise<void> {
  for (const ix of r.inputIndexes ?? []) {
    const table = tables[ix.stream];
    if (!table || !present.has(ix.stream)) continue;
    const name = indexName(qualified(table), ix);
    const { rows } = await client.query<{ here: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS here`, [qualified({ schema: table.schema, table: name })]);
    if (rows[0]!.here) continue;
    await attempt(client, () => client.query(`CREATE INDEX ${ident(name)} ON ${qualified(table)} (${ix.columns.map(ident).join(', ')})${ix.include ? ` INCLUDE (${ix.include.map(ident).join(', ')})` : ''}${ix.where ? ` WHERE ${ix.where}` : ''}`));
  }
}
