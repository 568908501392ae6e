import type { ApiRecord } from '../../../record.js';
import type { ColumnType } from '../../../catalogue/catalogue.js';
import { type Alteration, cleanJson, cleanString, fitsIdentifier, isTimestamp, jsonText, keepable } from './pg-values.js';
import { BOOKKEEPING_PREFIX } from '../tables/column-names.js';
import { COMPOSITE_KEY, LOADED_AT, REJECTED, type ColumnLayout, sourceField, type TableLayout } from '../tables/table-layout.js';

/** Why a value went to `_pdsync_rejected`: it did not fit its column, PostgreSQL could not hold it as sent, or its field can have no column. */
export type RejectReason = 'misfit' | Alteration | 'long-name';

/** What encoding saw besides rows: values kept aside, and fields with no column. */
export interface EncodeReport {
  rejected: number;
  /** The first few values that did not fit their column, for the run's warnings. */
  rejectedSamples: { column: string; value: unknown }[];
  /** Values kept in `_pdsync_rejected`, counted by column and reason: reported once per column. */
  kept: Map<string, Map<RejectReason, number>>;
  /** Records encoded so far: each row's place in the load. */
  seq: number;
}

export function emptyReport(seq = 0): EncodeReport {
  return { rejected: 0, rejectedSamples: [], kept: new Map(), seq };
}

/** Escapes a value for COPY's text format. */
function escapeCopy(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

interface Encoded {
  text: string;
  /** The value was not stored as sent: keep the original, for this reason. */
  keep?: RejectReason;
}

const NULL: Encoded = { text: '\\N' };

/** One value as COPY text; `keep` says why the stored text is not the value as sent. */
function encodeValue(v: unknown, type: ColumnType): Encoded {
  if (v === null || v === undefined) return NULL;
  switch (type) {
    case 'jsonb':
    case 'text': {
      const c = typeof v === 'string' && type === 'text' ? cleanString(v) : jsonText(v);
      return c.altered ? { text: escapeCopy(c.value), keep: c.altered } : { text: escapeCopy(c.value) };
    }
    case 'bigint':
      return typeof v === 'number' && Number.isSafeInteger(v) ? { text: String(v) } : { ...NULL, keep: 'misfit' };
    case 'double precision':
      return typeof v === 'number' && Number.isFinite(v) ? { text: String(v) } : { ...NULL, keep: 'misfit' };
    case 'boolean':
      return typeof v === 'boolean' ? { text: v ? 't' : 'f' } : { ...NULL, keep: 'misfit' };
    case 'timestamptz':
      return typeof v === 'string' && isTimestamp(v) ? { text: v } : { ...NULL, keep: 'misfit' };
    case 'text[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? { text: escapeCopy(arrayLiteral(v)) } : { ...NULL, keep: 'misfit' };
  }
}

/** A PostgreSQL array literal of strings: each quoted, backslashes and quotes escaped. */
function arrayLiteral(items: string[]): string {
  return `{${items.map((x) => `"${cleanString(x).value.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** The id a reference holds, or the ids an array of references holds. */
function idsOf(v: unknown, many: boolean): unknown {
  const id = (x: unknown) => (x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string' ? (x as { id: string }).id : undefined);
  if (!many) return id(v) ?? null;
  return Array.isArray(v) ? v.map(id).filter((x): x is string => x !== undefined) : null;
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

function count(report: EncodeReport, column: string, reason: RejectReason): void {
  const byReason = report.kept.get(column) ?? new Map<RejectReason, number>();
  byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  report.kept.set(column, byReason);
  report.rejected += 1;
}

/**
 * Encodes records as COPY text lines: the layout's columns, then the staging-only columns
 * (fields with no column yet, the load order, the part of the stream). A value that PostgreSQL
 * cannot hold as sent is stored as near as it can be, and kept as sent in `_pdsync_rejected`;
 * one that does not fit its column is NULL there and kept too. One odd value never fails a load.
 */
export function encodeRows(records: ApiRecord[], layout: TableLayout, loadedAt: string, part: string, report: EncodeReport): string {
  // pdsync's own columns hold no record field: a field named like one is a new field (api_pdsync_...).
  const fieldNames = new Set(layout.columns.filter((c) => !c.derive && !c.name.startsWith(BOOKKEEPING_PREFIX)).map(sourceField));
  const rejectedAt = layout.columns.findIndex((c) => c.name === REJECTED);
  const partText = escapeCopy(part);
  let out = '';
  for (const r of records) {
    const rejected: Record<string, unknown> = {};
    const cells = layout.columns.map((col: ColumnLayout) => {
      if (col.name === LOADED_AT) return loadedAt;
      if (col.name === COMPOSITE_KEY) return escapeCopy(cleanString(compositeKeyOf(r, layout.compositeKey!)).value);
      if (col.name === REJECTED) return '';
      const value = col.derive ? idsOf(r[col.derive.from], col.derive.many) : r[sourceField(col)];
      const encoded = encodeValue(value, col.type);
      if (encoded.keep) {
        rejected[col.name] = keepable(value);
        count(report, col.name, encoded.keep);
        if (encoded.keep === 'misfit' && report.rejectedSamples.length < 5) report.rejectedSamples.push({ column: col.name, value });
      }
      return encoded.text;
    });
    let unmapped: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(r)) {
      if (fieldNames.has(k)) continue;
      if (!fitsIdentifier(k)) {
        // A field whose name cannot be a column still lands: in _pdsync_rejected, under its name.
        rejected[cleanString(k).value] = keepable(v);
        count(report, k, 'long-name');
        continue;
      }
      (unmapped ??= {})[k] = cleanJson(v).value;
    }
    cells[rejectedAt] = Object.keys(rejected).length ? escapeCopy(JSON.stringify(rejected)) : '\\N';
    cells.push(unmapped ? escapeCopy(JSON.stringify(unmapped)) : '\\N', String((report.seq += 1)), partText);
    out += cells.join('\t') + '\n';
  }
  return out;
}
