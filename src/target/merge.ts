import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import { ident, qualified } from './sql.js';
import { type StagingColumns, latestPerKey } from './staging.js';

/** Upserts the staging table's rows into the live table by key, inside the load transaction. */
export async function mergeRows(client: PoolClient, object: TableName, staging: StagingColumns): Promise<number> {
  const updates = staging.names
    .filter((c) => !staging.keyNames.includes(c))
    .map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`)
    .join(', ');
  const merged = await client.query(
    `INSERT INTO ${qualified(object)} (${staging.columns}) ${latestPerKey(staging)}
     ON CONFLICT (${staging.key}) DO UPDATE SET ${updates}`,
  );
  return merged.rowCount ?? 0;
}
