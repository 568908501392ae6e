import { type ColumnSpec, type StreamSpec } from '../spec/catalogue.js';

export interface ColumnLayout extends ColumnSpec {
  name: string;
}

export interface TableLayout {
  /** Record fields, in catalogue order. */
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

/** The table a stream lands in: its catalogue fields, then pdsync's bookkeeping columns. */
export function tableLayout(spec: StreamSpec, primaryKey: string[]): TableLayout {
  const fields = Object.entries(spec.columns).map(([name, c]) => ({ name, ...c }));
  const simple = primaryKey.length === 1 && !primaryKey[0]!.includes('.');
  const bookkeeping: ColumnLayout[] = [
    ...(simple
      ? []
      : [{ name: COMPOSITE_KEY, type: 'text' as const, description: `Deterministic key: JSON array of ${primaryKey.join(', ')}.` }]),
    { name: LOADED_AT, type: 'timestamptz', description: 'When pdsync loaded this row.' },
  ];
  return {
    fields,
    key: simple ? [primaryKey[0]!] : [COMPOSITE_KEY],
    ...(simple ? {} : { compositeKey: primaryKey }),
    columns: [...fields, ...bookkeeping],
  };
}
