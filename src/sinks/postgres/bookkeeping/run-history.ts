import type { PoolClient } from 'pg';
import { RUNS } from './schema.js';

const runLock = (runId: string) => `pdsync:run:${runId}`;

/**
 * Records a run as `running`, holding a session lock named after it for as long as the run
 * lives. A run whose process died (or whose database restarted) leaves its row `running` and its
 * lock free: the next run marks such rows `abandoned`.
 */
export async function recordRunStart(client: PoolClient, runId: string, startedAt: string): Promise<void> {
  const { rows } = await client.query<{ run_id: string }>(`SELECT run_id FROM ${RUNS} WHERE status = 'running'`);
  for (const { run_id } of rows) {
    const { rows: lock } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS free', [runLock(run_id)]);
    if (!lock[0]!.free) continue;
    await client.query(`UPDATE ${RUNS} SET status = 'abandoned', finished_at = now(), error = 'the run ended without finishing (killed, or its database restarted)' WHERE run_id = $1 AND status = 'running'`, [run_id]);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [runLock(run_id)]);
  }
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [runLock(runId)]);
  await client.query(`INSERT INTO ${RUNS} (run_id, started_at, status) VALUES ($1, $2, 'running')`, [runId, startedAt]);
}

export async function recordRunEnd(client: PoolClient, runId: string, status: string, streams: unknown[], error: string | null): Promise<void> {
  await client.query(`UPDATE ${RUNS} SET finished_at = now(), status = $2, streams = $3, error = $4 WHERE run_id = $1`, [
    runId,
    status,
    JSON.stringify(streams),
    error,
  ]);
  await client.query('SELECT pg_advisory_unlock(hashtext($1))', [runLock(runId)]);
}
