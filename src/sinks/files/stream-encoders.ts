import type { ApiRecord } from '../../record.js';
import { csvHeader, csvLine } from './csv.js';
import type { FileColumn } from './file-columns.js';
import { isoUtc, utcTime } from './file-values.js';
import type { RecordEncoder } from './record-file.js';

/** A column's value as CSV takes it: times in UTC, nested values (and id arrays) as JSON text. */
function csvValue(c: FileColumn, r: ApiRecord): unknown {
  const v = c.value(r);
  if (c.type !== 'timestamptz') return v;
  const t = utcTime(v);
  return t ? isoUtc(t) : v;
}

/** RFC 4180 CSV of a stream: a header row of its columns, then a line a record. */
export function csvStreamEncoder(columns: FileColumn[]): RecordEncoder {
  return {
    head: csvHeader(columns.map((c) => c.name)),
    record: (r) => csvLine(columns.map((c) => csvValue(c, r as ApiRecord))),
    tail: '',
  };
}

/** JSON Lines: each record as the API sent it, with the id columns pdsync adds beside its fields. */
export function jsonLinesEncoder(columns: FileColumn[]): RecordEncoder {
  const ids = columns.filter((c) => c.derived);
  return {
    head: '',
    record(r) {
      const record = r as ApiRecord;
      const added: Record<string, unknown> = {};
      for (const c of ids) if (!(c.name in record)) added[c.name] = c.value(record) ?? null;
      return `${JSON.stringify({ ...record, ...added })}\n`;
    },
    tail: '',
  };
}
