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

/** A reference column's id column: `service` -> `service_id`, `teams` -> `team_ids`, `escalation_policies` -> `escalation_policy_ids`. */
export function idColumnName(column: string, many: boolean): string {
  if (!many) return `${column}_id`;
  const singular = column.endsWith('ies') ? `${column.slice(0, -3)}y` : column.endsWith('s') ? column.slice(0, -1) : column;
  return `${singular}_ids`;
}
