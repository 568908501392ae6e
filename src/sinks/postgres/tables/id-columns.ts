import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { ident, qualified } from '../sql.js';
import { type ColumnLayout, TEAM_IDS } from './table-layout.js';

/** An index name of its own, under PostgreSQL's 63 bytes whatever the table and column. */
function indexName(t: TableName, column: string): string {
  const tag = createHash('sha256').update(`${t.schema}.${t.table}.${column}`).digest('hex').slice(0, 8);
  return `${Buffer.from(column).subarray(0, 40).toString()}_${tag}_idx`;
}

/** Indexes the id columns joins go through: a b-tree on each `_id`, a GIN on each `_ids` array. */
export async function indexIdColumns(client: PoolClient, t: TableName, columns: ColumnLayout[]): Promise<void> {
  for (const c of columns.filter((x) => x.derive || x.name === TEAM_IDS)) {
    const using = c.type === 'text[]' ? 'USING gin ' : '';
    await client.query(`CREATE INDEX IF NOT EXISTS ${ident(indexName(t, c.name))} ON ${qualified(t)} ${using}(${ident(c.name)})`);
  }
}

/** Fills id columns just added to a table from the reference columns its rows already hold. */
export async function backfillIdColumns(client: PoolClient, t: TableName, columns: ColumnLayout[], sourceColumn: (field: string) => string): Promise<void> {
  const sets = columns
    .filter((c) => c.derive)
    .map((c) => {
      const src = ident(sourceColumn(c.derive!.from));
      const value = c.derive!.many
        ? `ARRAY(SELECT e->>'id' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${src}) = 'array' THEN ${src} ELSE '[]'::jsonb END) e WHERE e->>'id' IS NOT NULL)`
        : `${src}->>'id'`;
      return `${ident(c.name)} = ${value}`;
    });
  if (sets.length) await client.query(`UPDATE ${qualified(t)} SET ${sets.join(', ')}`);
}
