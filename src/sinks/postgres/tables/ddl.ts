import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import type { ColumnType } from '../../../catalogue/catalogue.js';
import { columnTypeOf } from './field-types.js';
import { type Privileges, requireCreateSchema, schemaExists } from '../privileges.js';
import { ident, literal, qualified } from '../sql.js';
import type { ColumnLayout } from './table-layout.js';

/**
 * Taken, inside a transaction, by whoever creates a schema or a table: two first runs at once
 * would otherwise race in PostgreSQL's catalogue (duplicate pg_type rows) and one would fail.
 */
export async function lockDdl(client: PoolClient): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('pdsync:ddl'))`);
}

/** Creates the schema when missing, asking for no privilege when it exists. Call under lockDdl. */
export async function ensureSchema(client: PoolClient, p: Privileges, schema: string): Promise<void> {
  if (await schemaExists(client, schema)) return;
  await requireCreateSchema(client, p, schema);
  await client.query(`CREATE SCHEMA ${ident(schema)}`);
}

/** Columns of a table as pdsync types them; columns of other types are left to their owner. */
export async function existingColumns(client: PoolClient, object: TableName): Promise<Map<string, ColumnType>> {
  const { rows } = await client.query<{ column_name: string; data_type: string; udt_name: string }>(
    'SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [object.schema, object.table],
  );
  const out = new Map<string, ColumnType>();
  for (const r of rows) {
    const type = columnTypeOf(r.data_type, r.udt_name);
    if (type) out.set(r.column_name, type);
  }
  return out;
}

async function comment(client: PoolClient, object: TableName, c: ColumnLayout): Promise<void> {
  if (c.description) await client.query(`COMMENT ON COLUMN ${qualified(object)}.${ident(c.name)} IS ${literal(c.description)}`);
}

/** Creates a table with its primary key and the catalogue's comments. Call under lockDdl. */
export async function createTable(client: PoolClient, object: TableName, columns: ColumnLayout[], key: string[], description: string): Promise<void> {
  const cols = columns.map((c) => `${ident(c.name)} ${c.type}`);
  await client.query(`CREATE TABLE ${qualified(object)} (${cols.join(', ')}, PRIMARY KEY (${key.map(ident).join(', ')}))`);
  await client.query(`COMMENT ON TABLE ${qualified(object)} IS ${literal(description)}`);
  for (const c of columns) await comment(client, object, c);
}

/** Adds nullable columns the table lacks, with their comments (the table's owner only). */
export async function addColumns(client: PoolClient, object: TableName, columns: ColumnLayout[]): Promise<void> {
  for (const c of columns) {
    await client.query(`ALTER TABLE ${qualified(object)} ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${c.type}`);
    await comment(client, object, c);
  }
}
