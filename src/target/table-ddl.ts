import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import type { ColumnType } from '../spec/catalogue.js';
import { columnTypeOf } from './field-types.js';
import { literal } from './schema-evolution.js';
import { ident, qualified } from './sql.js';
import type { ColumnLayout, TableLayout } from './table-layout.js';

/** Creates the schema when missing. Concurrent creators may race: a duplicate is success. */
export async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
  }
}

async function existingColumns(client: PoolClient, object: TableName): Promise<Map<string, string>> {
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [object.schema, object.table],
  );
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

async function comment(client: PoolClient, object: TableName, c: ColumnLayout): Promise<void> {
  if (c.description) {
    await client.query(`COMMENT ON COLUMN ${qualified(object)}.${ident(c.name)} IS ${literal(c.description)}`);
  }
}

export interface EnsuredTable {
  /** The table did not exist: any saved cursor for it is stale. */
  created: boolean;
  /** Every column the table has that pdsync can fill, with its type. */
  columns: Map<string, ColumnType>;
}

/**
 * Creates the table with its primary key and comments when missing, and adds the columns the
 * layout has and the table lacks. Comments are written only with the columns they describe,
 * so comments a user changed are kept.
 */
export async function ensureTable(client: PoolClient, object: TableName, layout: TableLayout, description: string): Promise<EnsuredTable> {
  let existing = await existingColumns(client, object);
  const created = existing.size === 0;
  if (created) {
    const cols = layout.columns.map((c) => `${ident(c.name)} ${c.type}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${qualified(object)} (${cols.join(', ')}, PRIMARY KEY (${layout.key.map(ident).join(', ')}))`,
    );
    await client.query(`COMMENT ON TABLE ${qualified(object)} IS ${literal(description)}`);
    for (const c of layout.columns) await comment(client, object, c);
  } else {
    for (const c of layout.columns.filter((c) => !existing.has(c.name))) {
      await client.query(`ALTER TABLE ${qualified(object)} ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${c.type}`);
      await comment(client, object, c);
    }
  }
  existing = await existingColumns(client, object);
  const columns = new Map<string, ColumnType>();
  for (const [name, dataType] of existing) {
    const type = columnTypeOf(dataType);
    if (type) columns.set(name, type);
  }
  return { created, columns };
}
