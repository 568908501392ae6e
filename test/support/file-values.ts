import assert from 'node:assert/strict';
import type { Catalogue } from '../../src/catalogue/catalogue.js';
import { idColumnName } from '../../src/catalogue/id-column-name.js';
import type { Row } from './file-fixture.js';

type Format = 'csv' | 'jsonl' | 'parquet';

/** A value the API served, as text to compare: times as epoch milliseconds, nested values as JSON. */
function served(type: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'timestamptz') return String(Date.parse(String(v)));
  if (type === 'jsonb' || type === 'text[]') return JSON.stringify(v);
  return typeof v === 'string' ? v : type === 'text' ? JSON.stringify(v) : String(v);
}

/** A value as a reader gave it back from a file, as text to compare the same way. */
function landed(format: Format, type: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'timestamptz') return String(v instanceof Date ? v.getTime() : Date.parse(String(v)));
  if (type === 'jsonb' || type === 'text[]') {
    if (format !== 'csv') return JSON.stringify(v);
    try {
      return JSON.stringify(JSON.parse(String(v)));
    } catch {
      return JSON.stringify(v);
    }
  }
  return typeof v === 'string' ? v : String(v);
}

const idOf = (ref: unknown) => (ref !== null && typeof ref === 'object' ? ((ref as { id?: unknown }).id ?? null) : null);

/**
 * A file's row holds the record as served: every catalogue field (JSON Lines: the record itself)
 * and, beside each reference, its id column as the tables have it (`service_id`, `team_ids`).
 */
export function assertRowIsRecord(format: Format, catalogue: Catalogue, stream: string, row: Row, record: Row): void {
  const columns = catalogue.streams[stream]!.columns;
  const where = `${stream} ${String(record.id)}`;
  for (const [field, spec] of Object.entries(columns)) {
    if (format === 'jsonl') assert.deepEqual(row[field], record[field], `${where} ${field}`);
    else assert.equal(landed(format, spec.type, row[field]), served(spec.type, record[field]), `${where} ${field}`);
    if (!spec.ref) continue;
    const name = idColumnName(field, spec.ref === 'many');
    if (name in columns) continue;
    const ids = spec.ref === 'many' ? (Array.isArray(record[field]) ? (record[field] as unknown[]).map(idOf) : null) : idOf(record[field]);
    const expected = served(spec.ref === 'many' ? 'text[]' : 'text', ids);
    assert.equal(landed(format, spec.ref === 'many' ? 'text[]' : 'text', row[name]), expected, `${where} ${name}`);
  }
}
