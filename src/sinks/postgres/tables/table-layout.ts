import type { ColumnSpec, ColumnType, StreamSpec } from '../../../catalogue/catalogue.js';
import { type ColumnCasing, columnName, idColumnName } from './column-names.js';

export interface ColumnLayout extends ColumnSpec {
  name: string;
  /** The record field the column holds, when its name differs (normalized casing). */
  field?: string;
  /** A column of ids taken from a reference column's value: one id, or the ids of an array. */
  derive?: { from: string; many: boolean };
}

/** The record field a column is filled from. */
export function sourceField(c: ColumnLayout): string {
  return c.field ?? c.name;
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
  casing: ColumnCasing;
}

export const LOADED_AT = '_pdsync_loaded_at';
/** The teams a row belongs to, for row security: from the record's own `teams`, or filled by pdsync (see team-ids.ts). */
export const TEAM_IDS = 'team_ids';
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

/** Id columns for reference columns (`service` -> `service_id`), unless the catalogue has a column of that name. */
function idColumns(columns: ColumnLayout[], taken: Set<string>): ColumnLayout[] {
  return columns.flatMap((c) => {
    if (!c.ref) return [];
    const many = c.ref === 'many';
    const name = idColumnName(c.name, many);
    if (taken.has(name)) return [];
    taken.add(name);
    const description = many ? `The ids of ${c.name}, for joins (filled by pdsync).` : `The id of ${c.name}, for joins (filled by pdsync).`;
    return [{ name, type: many ? ('text[]' as const) : ('text' as const), description, derive: { from: sourceField(c), many } }];
  });
}

/** The team_ids column of a table whose records have no teams of their own, under row security. */
function teamIdsColumn(spec: StreamSpec): ColumnLayout {
  const from = spec.team_ids && 'from' in spec.team_ids ? `the teams of its ${spec.team_ids.from.map((f) => f.stream).join(' or ')}` : 'its team';
  return { name: TEAM_IDS, type: 'text[]', description: `The teams this row belongs to (${from}), for row security (filled by pdsync).` };
}

/**
 * The table a stream lands in: its catalogue fields (named by the casing), id columns for its
 * references, a team_ids column when row security asks for one (`teamIds`), extra fields the
 * table already has, then bookkeeping.
 */
export function tableLayout(spec: StreamSpec, primaryKey: string[], existing: Map<string, ColumnType> = new Map(), casing: ColumnCasing = 'normalize', teamIds = false): TableLayout {
  const simple = primaryKey.length === 1 && !primaryKey[0]!.includes('.');
  const book = bookkeeping(primaryKey, simple);
  const catalogued: ColumnLayout[] = Object.entries(spec.columns).map(([field, c]) => {
    const name = columnName(field, casing);
    return { ...c, name, ...(name !== field ? { field } : {}) };
  });
  const taken = new Set(catalogued.map((c) => c.name));
  const ids = idColumns(catalogued, taken);
  if (teamIds && !taken.has(TEAM_IDS)) {
    ids.push(teamIdsColumn(spec));
    taken.add(TEAM_IDS);
  }
  const known = new Set([...taken, ...book.map((c) => c.name)]);
  const fields: ColumnLayout[] = [...catalogued, ...ids, ...[...existing].filter(([name]) => !known.has(name)).map(([name, type]) => ({ name, type }))];
  return {
    fields,
    key: simple ? [columnName(primaryKey[0]!, casing)] : [COMPOSITE_KEY],
    ...(simple ? {} : { compositeKey: primaryKey }),
    columns: [...fields, ...book],
    casing,
  };
}

/** The column a record field lands in. */
export function columnFor(layout: TableLayout, field: string): string {
  return layout.columns.find((c) => !c.derive && sourceField(c) === field)?.name ?? columnName(field, layout.casing);
}

/** A stream's table layout as a load or pdsync listen writes it: with a team_ids column when row security asks for one. */
export function streamLayout(stream: { spec: StreamSpec; primaryKey: string[]; columnCasing: ColumnCasing; teamIds?: unknown }, existing: Map<string, ColumnType>): TableLayout {
  return tableLayout(stream.spec, stream.primaryKey, existing, stream.columnCasing, stream.teamIds !== undefined);
}
