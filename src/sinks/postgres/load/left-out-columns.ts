import type { PoolClient } from 'pg';
import type { PlannedStream } from '../../../plan/plan.js';
import { ident, qualified } from '../sql.js';

/**
 * The columns a stream's select leaves out that its table still has, from runs before the select,
 * and that still hold a value somewhere: pdsync writes NULL there from now on, and says so until
 * no earlier value is left (the column itself stays: dropping a user's column is theirs to do).
 */
export async function leftOutColumns(client: PoolClient, stream: PlannedStream, existing: Map<string, unknown>): Promise<string[]> {
  const columns = stream.select?.omitted.filter((c) => existing.has(c)) ?? [];
  if (columns.length === 0) return [];
  const table = qualified(stream.object);
  const { rows } = await client.query<{ held: boolean[] }>(`SELECT ARRAY[${columns.map((c) => `EXISTS (SELECT 1 FROM ${table} WHERE ${ident(c)} IS NOT NULL)`).join(', ')}] AS held`);
  return columns.filter((_, i) => rows[0]!.held[i]);
}

/** The warning for columns left out by select that still hold earlier runs' values. */
export function leftOutWarning(stream: PlannedStream, columns: string[]): string {
  const object = `${stream.object.schema}.${stream.object.table}`;
  const names = columns.map((c) => `"${c}"`).join(', ');
  const rest = stream.mode === 'full-refresh' ? 'every row now has NULL there' : 'the rows this run writes have NULL there; rows it does not write keep the earlier values';
  return `${object}: select leaves out ${names}, which earlier runs filled: ${rest} (the column stays; ALTER TABLE ${object} DROP COLUMN removes it)`;
}
