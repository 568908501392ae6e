import type { ApiRecord } from '../record.js';
import type { ColumnType } from '../spec/catalogue.js';
import { typeOfValue, widen } from './field-types.js';
import { COMPOSITE_KEY, LOADED_AT, REJECTED, type ColumnLayout, type TableLayout } from './table-layout.js';

/** What encoding saw besides rows: values that did not fit, and fields with no column. */
export interface EncodeReport {
  rejected: number;
  /** The first few rejected values, for the run's warnings. */
  rejectedSamples: { column: string; value: unknown }[];
  /** Fields with no column yet, and the type their values suggest. */
  newFields: Map<string, ColumnType | undefined>;
  /** Records encoded so far: each row's place in the load. */
  seq: number;
}

export function emptyReport(): EncodeReport {
  return { rejected: 0, rejectedSamples: [], newFields: new Map(), seq: 0 };
}

/** Escapes a value for COPY's text format. */
function escapeCopy(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** JSON for a jsonb column; Postgres refuses the NUL character in jsonb text. */
function jsonText(v: unknown): string {
  return JSON.stringify(v).replace(/\\u0000/g, '');
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** One value as COPY text, or undefined when it does not fit the column's type. */
function encodeValue(v: unknown, type: ColumnType): string | undefined {
  if (v === null || v === undefined) return '\\N';
  switch (type) {
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
      return typeof v === 'string' && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined;
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
 * Encodes records as COPY text lines: the layout's columns, then the staging-only columns of
 * fields that have no column yet and of the load order. A value that does not fit its column goes to
 * `_pdsync_rejected` instead, so one odd value never fails a run and none is lost.
 */
export function encodeRows(records: ApiRecord[], layout: TableLayout, loadedAt: string, report: EncodeReport): string {
  const columnNames = new Set(layout.columns.map((c) => c.name));
  const rejectedAt = layout.columns.findIndex((c) => c.name === REJECTED);
  let out = '';
  for (const r of records) {
    const rejected: Record<string, unknown> = {};
    const cells = layout.columns.map((col: ColumnLayout) => {
      if (col.name === LOADED_AT) return loadedAt;
      if (col.name === COMPOSITE_KEY) return escapeCopy(compositeKeyOf(r, layout.compositeKey!));
      if (col.name === REJECTED) return '';
      const encoded = encodeValue(r[col.name], col.type);
      if (encoded !== undefined) return encoded;
      rejected[col.name] = r[col.name];
      report.rejected += 1;
      if (report.rejectedSamples.length < 5) report.rejectedSamples.push({ column: col.name, value: r[col.name] });
      return '\\N';
    });
    cells[rejectedAt] = Object.keys(rejected).length ? escapeCopy(jsonText(rejected)) : '\\N';
    let unmapped: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(r)) {
      if (columnNames.has(k) || k.length === 0 || k.length > 63) continue;
      (unmapped ??= {})[k] = v;
      report.newFields.set(k, widen(report.newFields.get(k), typeOfValue(v)));
    }
    cells.push(unmapped ? escapeCopy(jsonText(unmapped)) : '\\N', String((report.seq += 1)));
    out += cells.join('\t') + '\n';
  }
  return out;
}
