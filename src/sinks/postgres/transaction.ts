import type { ClientBase } from 'pg';

export interface TransactionOptions {
  /**
   * Lifts statement_timeout for this transaction alone, as pg_dump does: a managed server's few
   * seconds per statement must not cut a long publish, a lock wait or an ANALYZE.
   */
  unbounded?: boolean;
}

/** Runs `work` in one transaction: committed when it returns, rolled back (and the error rethrown) when it throws. */
export async function inTransaction<T>(client: ClientBase, work: () => Promise<T>, o: TransactionOptions = {}): Promise<T> {
  await client.query('BEGIN');
  try {
    if (o.unbounded) await client.query('SET LOCAL statement_timeout = 0');
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
