import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { qualified } from '../sql.js';
import { inTransaction } from '../transaction.js';

/** Changes smaller than this never call for statistics of their own: autovacuum keeps up with them. */
const MIN_ROWS = 1000;

/**
 * Gathers a table's statistics after a load changed a tenth of it or more (a first load above all),
 * instead of waiting for autovacuum: the relations step that follows at once, and readers, would
 * otherwise plan on a table they believe empty and scan it whole instead of using its id indexes.
 * Its own transaction, so a managed server's statement_timeout does not cut it; a table pdsync's
 * role does not own is skipped by PostgreSQL with a warning. The load is published by then:
 * statistics that cannot be gathered now are autovacuum's to gather later, not a failed stream.
 */
export async function refreshStatistics(client: PoolClient, table: TableName, rowsChanged: number): Promise<void> {
  if (rowsChanged < MIN_ROWS) return;
  const { rows } = await client.query<{ n: number }>(`SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`, [qualified(table)]);
  if (rows.length === 0 || rowsChanged * 10 < rows[0]!.n) return;
  await inTransaction(client, () => client.query(`ANALYZE ${qualified(table)}`), { unbounded: true }).catch(() => undefined);
}
