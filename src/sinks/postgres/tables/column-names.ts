import type { ColumnCasing } from '../../../config/replication.js';

export type { ColumnCasing };

/** A record field as a column: snake_case (`conferenceAddress` -> `conference_address`), or as the API spells it. */
export function columnName(field: string, casing: ColumnCasing): string {
  if (casing === 'source') return field;
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
}
