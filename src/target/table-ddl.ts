import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import { ident, qualified } from './sql.js';
import type { TableLayout } from './table-layout.js';

/** Creates the schema when missing. Concurrent creators may race: a duplicate is success. */
export async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
  }
}

/** Creates the table with its primary key when missing, and adds columns the layout has and the table lacks. */
export async function ensureTable(client: PoolClient, object: TableName, layout: TableLayout): Promise<void> {
  const cols = layout.columns.map((c) => `${ident(c.name)} ${c.type}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${qualified(object)} (${cols.join(', ')}, PRIMARY KEY (${layout.key.map(ident).join(', ')}))`,
  );
  const { rows } = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [object.schema, object.table],
  );
  const existing = new Set(rows.map((r) => r.column_name));
  for (const c of layout.columns) {
    if (!existing.has(c.name)) {
      await client.query(`ALTER TABLE ${qualified(object)} ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${c.type}`);
    }
  }
}
