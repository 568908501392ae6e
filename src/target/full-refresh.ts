import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import { copyIntoStaging, type CopyResult } from './copy-into-staging.js';
import { ident, qualified } from './sql.js';
import type { TableLayout } from './table-layout.js';

/**
 * Replaces a table's rows in one transaction: COPY into a temporary staging table, then delete
 * and insert. Readers see the old rows or the new ones, never a mix or an empty table, and a
 * failed run rolls back to the old table. The live table is kept (not swapped by rename) so
 * grants, comments, indexes and dependent views survive.
 */
export async function fullRefresh(
  client: PoolClient,
  object: TableName,
  layout: TableLayout,
  pages: AsyncIterable<ApiRecord[]>,
  loadedAt: string,
): Promise<CopyResult & { written: number }> {
  const staging = `_pdsync_staging_${object.table}`.slice(0, 63);
  const columns = layout.columns.map((c) => ident(c.name)).join(', ');
  const key = layout.key.map(ident).join(', ');
  await client.query('BEGIN');
  try {
    await client.query(
      `CREATE TEMP TABLE ${ident(staging)} (LIKE ${qualified(object)} INCLUDING DEFAULTS) ON COMMIT DROP`,
    );
    const copied = await copyIntoStaging(client, staging, layout, pages, loadedAt);
    await client.query(`DELETE FROM ${qualified(object)}`);
    // DISTINCT ON keeps the last copy of a record the API listed twice, instead of failing the key.
    const inserted = await client.query(
      `INSERT INTO ${qualified(object)} (${columns})
       SELECT DISTINCT ON (${key}) ${columns} FROM (SELECT *, ctid AS _row FROM ${ident(staging)}) s
       ORDER BY ${key}, _row DESC`,
    );
    await client.query('COMMIT');
    return { ...copied, written: inserted.rowCount ?? 0 };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
