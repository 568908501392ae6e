import type { PoolClient } from 'pg';
import type { PlannedStream } from '../../../plan/plan.js';
import { ident, qualified } from '../sql.js';
import { columnFor, streamLayout } from './table-layout.js';

/**
 * The rows of a backfill's table whose cursor field falls in its range [since, until): what the
 * backfill reads again, for its cost (the whole table would count every page of its history).
 * Undefined when the table, or that column, does not exist yet.
 */
export async function rowsInRange(client: PoolClient, stream: PlannedStream): Promise<number | undefined> {
  const field = stream.spec.incremental_key;
  if (!stream.range || !field) return undefined;
  const column = columnFor(streamLayout(stream, new Map()), field);
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped) AS ok`,
    [qualified(stream.object), column],
  );
  if (!rows[0]!.ok) return undefined;
  const { rows: counted } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${qualified(stream.object)} WHERE ${ident(column)} >= $1::timestamptz AND ${ident(column)} < $2::timestamptz`,
    [stream.range.since, stream.range.until],
  );
  return Number(counted[0]!.n);
}
