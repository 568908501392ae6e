import type { TableName } from '../../plan/plan.js';

/** A quoted SQL identifier: every name pdsync writes into SQL goes through here. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(t: TableName): string {
  return `${ident(t.schema)}.${ident(t.table)}`;
}

/** `schema.table` for people and for pdsync's bookkeeping rows. */
export function objectName(t: TableName): string {
  return `${t.schema}.${t.table}`;
}

/** A string literal, for the few statements (COMMENT ON) that take no parameters. */
export function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
