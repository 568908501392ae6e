import type { TableName } from '../plan/plan.js';

/** A quoted SQL identifier: every name pdsync writes into SQL goes through here. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(t: TableName): string {
  return `${ident(t.schema)}.${ident(t.table)}`;
}
