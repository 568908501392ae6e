import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { qualified } from '../sql.js';

/** Changes smaller than this never call for a vacuum of their own: autovacuum keeps up with them. */
const MIN_ROWS = 1000;

/** Runs `work` with statement_timeout lifted for this session until it returns, as pg_dump does. */
async function unbounded<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ was: string }>(`SELECT current_setting('statement_timeout') AS was`);
  await client.query('SET statement_timeout = 0');
  try {
    return await work();
  } finally {
    await client.query(`SELECT set_config('statement_timeout', $1, false)`, [rows[0]!.was]);
  }
}

/**
 * Vacuums a table and gathers its statistics after a load changed a tenth of it or more (a first
 * load above all), instead of waiting for autovacuum: the relations step that follows at once, and
 * readers, would otherwise plan on a table they believe empty and scan it whole; and the
 * visibility map VACUUM sets lets the relations kept by change read a user's or a service's week
 * from an index alone (at 100k incidents, it halves a listen batch's upkeep). VACUUM runs outside
 * a transaction, so a managed server's statement_timeout is lifted for it alone; a table pdsync's
 * role does not own is skipped by PostgreSQL with a warning. The load is published by then: what
 * cannot be done now is autovacuum's to do later, not a failed stream.
 */
export async function refreshStatistics(client: PoolClient, table: TableName, rowsChanged: number): Promise<void> {
  if (rowsChanged < MIN_ROWS) return;
  const { rows } = await client.query<{ n: number }>(`SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`, [qualified(table)]);
  if (rows.length === 0 || rowsChanged * 10 < rows[0]!.n) return;
  await unbounded(client, () => client.query(`VACUUM (ANALYZE) ${qualified(table)}`)).catch(() => undefined);
}
