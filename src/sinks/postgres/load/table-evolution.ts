import type { PoolClient } from 'pg';
import type { PlannedStream } from '../../../plan/plan.js';
import { columnName } from '../tables/column-names.js';
import { addColumns, createTable, ensureSchema, existingColumns, lockDdl } from '../tables/ddl.js';
import { backfillIdColumns, indexIdColumns } from '../tables/id-columns.js';
import { fillNewColumns, keepUnmappedAsRejected, stagedNewFields } from './new-fields.js';
import { ownsTable, type Privileges, tableExists } from '../privileges.js';
import type { StagingTable } from './staging-table.js';
import { type ColumnLayout, columnFor, type TableLayout, TEAM_IDS } from '../tables/table-layout.js';
import { secureTable } from '../row-security.js';

export interface Evolved {
  /** The table was created by this publish. */
  fresh: boolean;
  /** The columns rows are written to. */
  columns: ColumnLayout[];
  /** New fields that became columns. */
  added: string[];
  /** New fields, or catalogue columns, the table lacks and pdsync may not add (it is another role's). */
  unplaced: { fields: string[]; owner: string };
}

/**
 * Brings the table to the load's shape inside the publish transaction: created on its first load
 * (with its id-column indexes); for an existing table, the columns the catalogue now has (id
 * columns filled from the rows already there) and the fields the API started sending. Only the
 * table's owner may add columns: otherwise new fields' values go to `_pdsync_rejected`.
 */
export async function evolveTable(client: PoolClient, p: Privileges, stream: PlannedStream, layout: TableLayout, staging: StagingTable): Promise<Evolved> {
  const evolved = await shapeTable(client, p, stream, layout, staging);
  // Row security by team from the transaction that creates the table or writes its first rows.
  if (stream.rowSecurity && evolved.columns.some((c) => c.name === TEAM_IDS)) await secureTable(client, stream.object);
  return evolved;
}

async function shapeTable(client: PoolClient, p: Privileges, stream: PlannedStream, layout: TableLayout, staging: StagingTable): Promise<Evolved> {
  if (!(await tableExists(client, stream.object))) {
    await lockDdl(client);
    await ensureSchema(client, p, stream.object.schema);
    if (!(await tableExists(client, stream.object))) {
      await createTable(client, stream.object, layout.columns, layout.key, stream.spec.description);
      await indexIdColumns(client, stream.object, layout.columns);
      return { fresh: true, ...(await placeNewFields(client, stream, layout, staging, layout.columns, { owns: true, owner: p.role })) };
    }
  }
  const live = await existingColumns(client, stream.object);
  const owner = await ownsTable(client, stream.object);
  const missing = layout.columns.filter((c) => !live.has(c.name));
  if (missing.length && owner.owns) {
    await addColumns(client, stream.object, missing);
    await backfillIdColumns(client, stream.object, missing, (field) => columnFor(layout, field));
    await indexIdColumns(client, stream.object, missing);
  }
  const writable = owner.owns ? layout.columns : layout.columns.filter((c) => live.has(c.name));
  const placed = await placeNewFields(client, stream, layout, staging, writable, owner);
  if (!owner.owns) placed.unplaced.fields.unshift(...missing.map((c) => c.name));
  return { fresh: false, ...placed };
}

async function placeNewFields(
  client: PoolClient,
  stream: PlannedStream,
  layout: TableLayout,
  staging: StagingTable,
  columns: ColumnLayout[],
  owner: { owns: boolean; owner: string },
): Promise<Omit<Evolved, 'fresh'>> {
  const found = (await stagedNewFields(client, staging)).map((f) => ({ name: columnName(f.name, layout.casing), field: f.name, type: f.type }));
  if (found.length === 0) return { columns, added: [], unplaced: { fields: [], owner: owner.owner } };
  if (!owner.owns) {
    await keepUnmappedAsRejected(client, staging);
    return { columns, added: [], unplaced: { fields: found.map((f) => f.field), owner: owner.owner } };
  }
  const note = `Added by pdsync on ${new Date().toISOString().slice(0, 10)}, when the API started sending this field.`;
  await addColumns(client, stream.object, found.map((f) => ({ name: f.name, type: f.type, description: note })));
  await fillNewColumns(client, staging, found);
  return { columns: [...columns, ...found], added: found.map((f) => f.name), unplaced: { fields: [], owner: owner.owner } };
}
