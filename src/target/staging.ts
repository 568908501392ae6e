import { ident } from './sql.js';
import { SEQ, type TableLayout } from './table-layout.js';

/** A load's staging table and its column lists, quoted once. */
export interface StagingColumns {
  table: string;
  names: string[];
  keyNames: string[];
  /** Quoted, comma-separated. */
  columns: string;
  key: string;
}

export function stagingColumns(table: string, layout: TableLayout): StagingColumns {
  const names = layout.columns.map((c) => c.name);
  return {
    table,
    names,
    keyNames: layout.key,
    columns: names.map(ident).join(', '),
    key: layout.key.map(ident).join(', '),
  };
}

/**
 * One row per key from staging: the last one loaded. A record can arrive twice in one run (the
 * API shifted a page, or an incident came both from its window and from the change feed).
 */
export function latestPerKey(s: StagingColumns): string {
  return `SELECT DISTINCT ON (${s.key}) ${s.columns} FROM ${ident(s.table)} ORDER BY ${s.key}, ${ident(SEQ)} DESC`;
}
