import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import { qualified } from './sql.js';
import { type StagingColumns, latestPerKey } from './staging.js';

/**
 * Replaces the live table's rows with the staging table's, inside the load transaction. The
 * live table is kept (not swapped by rename), so grants, comments, indexes and dependent views
 * survive; DELETE rather than TRUNCATE keeps the change invisible to readers until commit.
 */
export async function replaceRows(client: PoolClient, object: TableName, staging: StagingColumns): Promise<number> {
  await client.query(`DELETE FROM ${qualified(object)}`);
  const inserted = await client.query(`INSERT INTO ${qualified(object)} (${staging.columns}) ${latestPerKey(staging)}`);
  return inserted.rowCount ?? 0;
}
