import type { PoolClient } from 'pg';
import type { TableName } from '../plan/plan.js';
import type { ColumnType } from '../spec/catalogue.js';
import { ident, qualified } from './sql.js';
import { type ColumnLayout, UNMAPPED } from './table-layout.js';

/** A jsonb field of the staging table's unmapped column, as a value of the column's type. */
function fromUnmapped(name: string, type: ColumnType): string {
  const lit = `'${name.replaceAll("'", "''")}'`;
  if (type === 'jsonb') return `${ident(UNMAPPED)}->${lit}`;
  if (type === 'text') return `${ident(UNMAPPED)}->>${lit}`;
  return `(${ident(UNMAPPED)}->>${lit})::${type}`;
}

/**
 * Fields the API started sending become nullable columns of the live table before the rows are
 * applied, typed by their values (text when every value was null). Runs inside the load
 * transaction: a failed load adds nothing.
 */
export async function addNewColumns(
  client: PoolClient,
  object: TableName,
  staging: string,
  fields: Map<string, ColumnType | undefined>,
): Promise<ColumnLayout[]> {
  const added: ColumnLayout[] = [...fields].map(([name, type]) => ({ name, type: type ?? 'text' }));
  if (added.length === 0) return added;
  const note = `Added by pdsync on ${new Date().toISOString().slice(0, 10)}, when the API started sending this field.`;
  for (const c of added) {
    await client.query(`ALTER TABLE ${qualified(object)} ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${c.type}`);
    await client.query(`COMMENT ON COLUMN ${qualified(object)}.${ident(c.name)} IS ${literal(note)}`);
    await client.query(`ALTER TABLE ${ident(staging)} ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${c.type}`);
  }
  const sets = added.map((c) => `${ident(c.name)} = ${fromUnmapped(c.name, c.type)}`).join(', ');
  await client.query(`UPDATE ${ident(staging)} SET ${sets} WHERE ${ident(UNMAPPED)} IS NOT NULL`);
  return added;
}

/** A string literal for the few statements (COMMENT ON) that take no parameters. */
export function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
