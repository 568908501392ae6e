import type { ClientBase } from 'pg';

/**
 * The database's clock: the one every writer of a table (runs and pdsync listen, on any host)
 * stamps `_pdsync_loaded_at` by, so a full refresh can tell what was written after its read began.
 */
export async function databaseNow(client: ClientBase): Promise<Date> {
  return (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
}
