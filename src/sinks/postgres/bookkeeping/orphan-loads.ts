import type { Dropped } from '../../target.js';
import type { PoolClient } from 'pg';
import { RESUME_WITHIN_MS } from './load-registry.js';
import { inTransaction } from '../transaction.js';
import { bookkeeping, LOADS } from './schema.js';

/** A staged load a killed run left, dropped. */
export type Orphan = Dropped;

/** Why no run will resume a staged load, if none will. */
function orphaned(row: { stream: string; object: string; replication: string | null; started_at: Date }, replication: { id: string; objects: { stream: string; object: string }[] }): string | undefined {
  if (Date.now() - row.started_at.getTime() >= RESUME_WITHIN_MS) return 'staged over 24 hours ago, too old to resume';
  if (row.replication !== replication.id) return undefined;
  if (replication.objects.some((o) => o.stream === row.stream && o.object === row.object)) return undefined;
  return `${replication.id} no longer loads ${row.stream} into ${row.object}`;
}

/**
 * Drops, with their staging tables, the staged loads no run will resume: those too old to, and
 * those this replication's killed runs left for a stream or table it no longer loads (a changed
 * `object`). Another replication's recent ones are left to it, as is one whose table a run is
 * loading now (its lock is taken).
 */
export async function dropOrphanLoads(client: PoolClient, replication: { id: string; objects: { stream: string; object: string }[] }): Promise<Orphan[]> {
  const { rows } = await client.query<{ stream: string; object: string; staging: string; replication: string | null; started_at: Date }>(
    `SELECT stream, object, staging, replication, started_at FROM ${LOADS} ORDER BY stream, object`,
  );
  const dropped: Orphan[] = [];
  for (const row of rows) {
    const why = orphaned(row, replication);
    if (!why) continue;
    const lock = `pdsync:${row.object}`;
    const { rows: free } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lock]);
    if (!free[0]!.ok) continue;
    try {
      await inTransaction(client, async () => {
        await client.query(`DROP TABLE IF EXISTS ${bookkeeping(row.staging)}`);
        await client.query(`DELETE FROM ${LOADS} WHERE stream = $1 AND object = $2`, [row.stream, row.object]);
      });
      dropped.push({ stream: row.stream, object: row.object, why });
    } catch (e) {
      dropped.push({ stream: row.stream, object: row.object, why: `${why}; it could not be dropped: ${(e as Error).message}` });
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  }
  return dropped;
}
