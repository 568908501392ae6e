import type { StreamSpec } from '../../catalogue/catalogue.js';
import { idColumnName } from '../../catalogue/id-column-name.js';
import { InternalError } from '../../errors.js';
import { csvHeader, csvLine } from './csv.js';
import { idOf } from './file-values.js';
import type { FileRecord, RecordEncoder } from './record-file.js';

interface FileColumn {
  name: string;
  value(r: FileRecord): unknown;
}

/**
 * A stream's CSV columns: its catalogue fields in catalogue order, then an id column for each
 * reference (`service_id`, `team_ids` as a JSON array), as the PostgreSQL tables have them, so a
 * spreadsheet or BI tool can join files without reading JSON.
 */
export function streamColumns(spec: Pick<StreamSpec, 'columns'>): FileColumn[] {
  const fields = Object.keys(spec.columns);
  const taken = new Set(fields);
  const ids = Object.entries(spec.columns).flatMap(([field, c]): FileColumn[] => {
    const name = c.ref && idColumnName(field, c.ref === 'many');
    if (!name || taken.has(name)) return [];
    taken.add(name);
    const many = c.ref === 'many';
    return [{ name, value: (r) => (many ? (Array.isArray(r[field]) ? r[field].map(idOf) : null) : idOf(r[field])) }];
  });
  return [...fields.map((name) => ({ name, value: (r: FileRecord) => r[name] })), ...ids];
}

/** CSV of a stream's records: a header row, then a row a record. A field without a column is a bug, not a silent loss. */
export function csvEncoder(stream: string, spec: Pick<StreamSpec, 'columns'>): RecordEncoder {
  const columns = streamColumns(spec);
  const known = new Set(Object.keys(spec.columns));
  return {
    head: csvHeader(columns.map((c) => c.name)),
    record(r) {
      for (const field in r) {
        if (!known.has(field)) throw new InternalError(`${stream}: field "${field}" has no column in specs/pagerduty.yaml`);
      }
      return csvLine(columns.map((c) => c.value(r)));
    },
    tail: '',
  };
}
