import type { PoolClient } from 'pg';
import type { ColumnType } from '../../../catalogue/catalogue.js';
import { ident, literal, qualified } from '../sql.js';
import type { StagingTable } from './staging-table.js';
import { REJECTED, UNMAPPED } from '../tables/table-layout.js';

const ISO_TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})$';

/** The type that holds every value a field was seen with, by the rules of field-types.ts. */
function typeFor(types: string[], ints: boolean, timestamps: boolean): ColumnType {
  const seen = types.filter((t) => t !== 'null');
  if (seen.length === 0) return 'text';
  if (seen.length > 1) return 'jsonb';
  switch (seen[0]) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return ints ? 'bigint' : 'double precision';
    case 'string':
      return timestamps ? 'timestamptz' : 'text';
    default:
      return 'jsonb';
  }
}

/**
 * Fields the API started sending, found in the staged rows of the whole load (a resumed one
 * included), with the type their values suggest.
 */
export async function stagedNewFields(client: PoolClient, staging: StagingTable): Promise<{ name: string; type: ColumnType }[]> {
  const { rows } = await client.query<{ key: string; types: string[]; ints: boolean; timestamps: boolean }>(
    `SELECT e.key, array_agg(DISTINCT jsonb_typeof(e.value)) AS types,
            bool_and(jsonb_typeof(e.value) <> 'number' OR e.value::text ~ '^-?[0-9]{1,18}$') AS ints,
            bool_and(jsonb_typeof(e.value) <> 'string' OR (e.value #>> '{}') ~ ${literal(ISO_TIMESTAMP)}) AS timestamps
     FROM ${qualified(staging.name)}, jsonb_each(${ident(UNMAPPED)}) e GROUP BY e.key ORDER BY e.key`,
  );
  return rows.map((r) => ({ name: r.key, type: typeFor(r.types, r.ints, r.timestamps) }));
}

/** A field of the unmapped jsonb column, as a value of its new column's type. */
function fromUnmapped(name: string, type: ColumnType): string {
  const lit = literal(name);
  if (type === 'jsonb') return `${ident(UNMAPPED)}->${lit}`;
  if (type === 'text') return `${ident(UNMAPPED)}->>${lit}`;
  return `(${ident(UNMAPPED)}->>${lit})::${type}`;
}

/** Fills the staging table's new columns (`name`) from the unmapped values of their fields (`field`). */
export async function fillNewColumns(client: PoolClient, staging: StagingTable, fields: { name: string; field: string; type: ColumnType }[]): Promise<void> {
  for (const f of fields) await client.query(`ALTER TABLE ${qualified(staging.name)} ADD COLUMN IF NOT EXISTS ${ident(f.name)} ${f.type}`);
  const sets = fields.map((f) => `${ident(f.name)} = ${fromUnmapped(f.field, f.type)}`).join(', ');
  await client.query(`UPDATE ${qualified(staging.name)} SET ${sets} WHERE ${ident(UNMAPPED)} IS NOT NULL`);
}

/** When no column can be added (the table is another role's), new fields' values are kept in `_pdsync_rejected`. */
export async function keepUnmappedAsRejected(client: PoolClient, staging: StagingTable): Promise<void> {
  await client.query(
    `UPDATE ${qualified(staging.name)} SET ${ident(REJECTED)} = coalesce(${ident(REJECTED)}, '{}'::jsonb) || ${ident(UNMAPPED)} WHERE ${ident(UNMAPPED)} IS NOT NULL`,
  );
}
