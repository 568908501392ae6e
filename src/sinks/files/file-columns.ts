import type { ColumnType } from '../../catalogue/catalogue.js';
import type { PlannedStream } from '../../plan/plan.js';
import type { ApiRecord } from '../../record.js';
import { COMPOSITE_KEY, sourceField, streamLayout } from '../postgres/tables/table-layout.js';
import { compositeKeyOf } from '../postgres/load/copy-row-encoder.js';
import { idOf } from './file-values.js';

/** A column of a stream's CSV or Parquet file: typed as the table's column is, and how a record fills it. */
export interface FileColumn {
  name: string;
  type: ColumnType;
  /** Made by pdsync (an id column, the composite key), not a field the API sent. */
  derived: boolean;
  value(r: ApiRecord): unknown;
}

/**
 * The columns a stream's table has, less what only a database keeps (load time, rejected values):
 * its catalogue fields named by the replication's casing, an id column beside each reference
 * (`service_id`, `team_ids`), and `_pdsync_key` for a stream without a single key field. Files
 * and tables thus join the same way.
 */
export function fileColumns(stream: PlannedStream): FileColumn[] {
  const layout = streamLayout({ spec: stream.spec, primaryKey: stream.primaryKey, columnCasing: stream.columnCasing }, new Map());
  const columns = layout.fields.map((c): FileColumn => {
    const field = c.derive?.from ?? sourceField(c);
    const base = { name: c.name, type: c.type, derived: c.derive !== undefined };
    if (!c.derive) return { ...base, value: (r) => r[field] };
    if (!c.derive.many) return { ...base, value: (r) => idOf(r[field]) };
    return { ...base, value: (r) => (Array.isArray(r[field]) ? (r[field] as unknown[]).map(idOf) : null) };
  });
  const pk = layout.compositeKey;
  return pk ? [...columns, { name: COMPOSITE_KEY, type: 'text', derived: true, value: (r) => compositeKeyOf(r, pk) }] : columns;
}

/** Record fields the catalogue does not list: a CSV or Parquet file has no column for them. */
export function unlistedFields(stream: PlannedStream, r: ApiRecord): string[] {
  return Object.keys(r).filter((f) => !(f in stream.spec.columns));
}
