import type { ApiRecord } from '../record.js';
import { COMPOSITE_KEY, LOADED_AT, type ColumnLayout, type TableLayout } from './table-layout.js';

/** Escapes a value for COPY's text format. */
function escapeCopy(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export interface BadValue {
  column: string;
  value: unknown;
}

/** JSON for a jsonb column; Postgres refuses the NUL character in jsonb text. */
function jsonText(v: unknown): string {
  return JSON.stringify(v).replace(/\\u0000/g, '');
}

/** One value as COPY text, or undefined when it does not fit the column's type. */
function encodeValue(v: unknown, col: ColumnLayout): string | undefined {
  if (v === null || v === undefined) return '\\N';
  switch (col.type) {
    case 'jsonb':
      return escapeCopy(jsonText(v));
    case 'text':
      return escapeCopy(typeof v === 'string' ? v.replace(/\0/g, '') : jsonText(v));
    case 'bigint':
      return typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
    case 'double precision':
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? (v ? 't' : 'f') : undefined;
    case 'timestamptz':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? escapeCopy(v) : undefined;
  }
}

/** The value at a dotted path, or null. */
export function valueAt(record: ApiRecord, path: string): unknown {
  let v: unknown = record;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[part];
  }
  return v ?? null;
}

/** The deterministic text key of a record whose stream has no single id field. */
export function compositeKeyOf(record: ApiRecord, paths: string[]): string {
  return JSON.stringify(paths.map((p) => valueAt(record, p)));
}

/**
 * Encodes records as COPY text lines in the layout's column order. A value that does not fit
 * its column is written as NULL and reported, so one odd value never fails a run.
 */
export function encodeRows(records: ApiRecord[], layout: TableLayout, loadedAt: string, bad: BadValue[]): string {
  let out = '';
  for (const r of records) {
    const cells = layout.columns.map((col) => {
      if (col.name === LOADED_AT) return loadedAt;
      if (col.name === COMPOSITE_KEY) return escapeCopy(compositeKeyOf(r, layout.compositeKey!));
      const encoded = encodeValue(r[col.name], col);
      if (encoded === undefined) {
        bad.push({ column: col.name, value: r[col.name] });
        return '\\N';
      }
      return encoded;
    });
    out += cells.join('\t') + '\n';
  }
  return out;
}
