import type { ColumnSpec, ColumnType, StreamSpec } from '../spec/catalogue.js';

export interface ColumnLayout extends ColumnSpec {
  name: string;
}

export interface TableLayout {
  /** Record fields: the catalogue's, then fields earlier runs added to the table. */
  fields: ColumnLayout[];
  /** Column names of the primary key constraint. */
  key: string[];
  /** Set when the stream's key is not one top-level field: the dotted paths hashed into `_pdsync_key`. */
  compositeKey?: string[];
  /** Every column, bookkeeping included, in table order. */
  columns: ColumnLayout[];
}

export const LOADED_AT = '_pdsync_loaded_at';
export const COMPOSITE_KEY = '_pdsync_key';
/** Values that did not fit their column, by column name, so none is lost. */
export const REJECTED = '_pdsync_rejected';
/** Staging only: top-level fields with no column yet, turned into columns before the rows are applied. */
export const UNMAPPED = '_pdsync_unmapped';
/** Staging only: the order records arrived in, so the last copy of a record wins (ctid moves on UPDATE). */
export const SEQ = '_pdsync_seq';
/** Staging only: the part of the stream (a time window, the whole list, the change feed) a row was read in. */
export const PART = '_pdsync_part';

/** Staging's own columns, after the table's. */
export const STAGING_ONLY: ColumnLayout[] = [
  { name: UNMAPPED, type: 'jsonb' },
  { name: SEQ, type: 'bigint' },
  { name: PART, type: 'text' },
];

function bookkeeping(primaryKey: string[], simple: boolean): ColumnLayout[] {
  return [
    ...(simple
      ? []
      : [{ name: COMPOSITE_KEY, type: 'text' as const, description: `Deterministic key: JSON array of ${primaryKey.join(', ')}.` }]),
    { name: LOADED_AT, type: 'timestamptz', description: 'When pdsync loaded this row.' },
    { name: REJECTED, type: 'jsonb', description: 'Values the API sent that did not fit their column type, by column name.' },
  ];
}

/** The table a stream lands in: its catalogue fields, extra fields the table already has, then bookkeeping. */
export function tableLayout(spec: StreamSpec, primaryKey: string[], existing: Map<string, ColumnType> = new Map()): TableLayout {
  const simple = primaryKey.length === 1 && !primaryKey[0]!.includes('.');
  const book = bookkeeping(primaryKey, simple);
  const known = new Set([...Object.keys(spec.columns), ...book.map((c) => c.name)]);
  const fields: ColumnLayout[] = [
    ...Object.entries(spec.columns).map(([name, c]) => ({ name, ...c })),
    ...[...existing].filter(([name]) => !known.has(name)).map(([name, type]) => ({ name, type })),
  ];
  return {
    fields,
    key: simple ? [primaryKey[0]!] : [COMPOSITE_KEY],
    ...(simple ? {} : { compositeKey: primaryKey }),
    columns: [...fields, ...book],
  };
}
