import pg from 'pg';
import { TargetError } from '../errors.js';
import type { PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import type { BadValue } from './copy-row-encoder.js';
import { ensureBookkeeping, readCursor } from './bookkeeping.js';
import { loadStream } from './load-transaction.js';
import { ensureSchema, ensureTable } from './table-ddl.js';
import { tableLayout } from './table-layout.js';

export interface WriteResult {
  rowsRead: number;
  rowsWritten: number;
  badValues: BadValue[];
}

/** The PostgreSQL side of a run: one pool, created once and passed the streams to write. */
export class PostgresTarget {
  private constructor(private readonly pool: pg.Pool) {}

  static async connect(url: string, maxConnections: number): Promise<PostgresTarget> {
    const pool = new pg.Pool({ connectionString: url, max: maxConnections, application_name: 'pdsync' });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      client.release();
    } catch (e) {
      await pool.end();
      throw new TargetError(`cannot connect to the target database: ${(e as Error).message}`);
    }
    return new PostgresTarget(pool);
  }

  /** Creates the bookkeeping tables and the target schemas once, before streams run side by side. */
  async prepare(schemas: string[]): Promise<void> {
    await this.withClient('preparing schemas', async (client) => {
      await ensureBookkeeping(client);
      for (const s of new Set(schemas)) await ensureSchema(client, s);
    });
  }

  /** The stream's saved cursor, if an earlier run left one. */
  async cursor(stream: PlannedStream): Promise<Date | undefined> {
    return this.withClient('reading state', (client) => readCursor(client, stream.name, stream.object));
  }

  async write(
    stream: PlannedStream,
    pages: AsyncIterable<ApiRecord[]>,
    opts: { until: string; onWait: () => void },
  ): Promise<WriteResult> {
    const layout = tableLayout(stream.spec, stream.primaryKey);
    const where = `${stream.object.schema}.${stream.object.table}`;
    return this.withClient(where, async (client) => {
      await ensureTable(client, stream.object, layout);
      const r = await loadStream(client, stream, layout, pages, { ...opts, loadedAt: new Date().toISOString() });
      return { rowsRead: r.rows, rowsWritten: r.written, badValues: r.badValues };
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async withClient<T>(where: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((e: Error) => {
      throw new TargetError(`${where}: cannot connect to the target database: ${e.message}`);
    });
    let failed = false;
    try {
      return await fn(client);
    } catch (e) {
      failed = true;
      if (e instanceof Error && 'severity' in e) {
        // A database error: name the table. Source errors pass through untouched.
        throw new TargetError(`${where}: ${e.message}`);
      }
      throw e;
    } finally {
      // A client that failed mid-COPY may be in an unknown protocol state: discard it.
      client.release(failed);
    }
  }
}
