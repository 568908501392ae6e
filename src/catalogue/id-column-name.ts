/** A reference column's id column: `service` -> `service_id`, `teams` -> `team_ids`, `escalation_policies` -> `escalation_policy_ids`. */
export function idColumnName(column: string, many: boolean): string {
  if (!many) return `${column}_id`;
  const singular = column.endsWith('ies') ? `${column.slice(0, -3)}y` : column.endsWith('s') ? column.slice(0, -1) : column;
  return `${singular}_ids`;
}
