import pg from 'pg';
import { ConfigError, TargetError } from '../errors.js';
import type { PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import { ensureBookkeeping, forgetCursor, readCursor, recordRunEnd, recordRunStart } from './bookkeeping.js';
import { loadStream } from './load-transaction.js';
import { ensureSchema, ensureTable } from './table-ddl.js';
import { type TableLayout, tableLayout } from './table-layout.js';

export interface WriteResult {
  rowsRead: number;
  rowsWritten: number;
  warnings: string[];
}

/** A stream's table, ready to load: its layout and saved cursor. */
export interface OpenedStream {
  layout: TableLayout;
  cursor: Date | undefined;
}

/** The PostgreSQL side of a run: one pool, created once and passed the streams to write. */
export class PostgresTarget {
  private constructor(
    readonly pool: pg.Pool,
    /** The connection URL, with its password: never printed but for `sql --serve`'s own server. */
    readonly url: string,
  ) {}

  /** `name`: the connection, as the user calls it in messages. */
  static async connect(url: string, maxConnections: number, name = 'target'): Promise<PostgresTarget> {
    const pool = new pg.Pool({ connectionString: url, max: maxConnections, application_name: 'pdsync' });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      client.release();
    } catch (e) {
      await pool.end();
      throw connectError(e, name);
    }
    return new PostgresTarget(pool, url);
  }

  /** Creates the bookkeeping tables and the target schemas once, before streams run side by side. */
  async prepare(schemas: string[]): Promise<void> {
    await this.withClient('preparing schemas', async (client) => {
      await ensureBookkeeping(client);
      for (const s of new Set(schemas)) await ensureSchema(client, s);
    });
  }

  async startRun(runId: string, startedAt: string): Promise<void> {
    await this.withClient('recording the run', (client) => recordRunStart(client, runId, startedAt));
  }

  /** Per-stream figures of the run, in `pdsync.runs`. */
  async finishRun(runId: string, status: string, streams: unknown[], error: string | null): Promise<void> {
    await this.withClient('recording the run', (client) => recordRunEnd(client, runId, status, streams, error));
  }

  /** Saved cursors of these streams, read only: for `--dry-run`, which writes nothing. */
  async savedCursors(streams: PlannedStream[]): Promise<Map<string, Date>> {
    return this.withClient('reading state', async (client) => {
      const out = new Map<string, Date>();
      const { rows } = await client.query<{ ok: boolean }>(`SELECT to_regclass('pdsync.state') IS NOT NULL AS ok`);
      if (!rows[0]?.ok) return out;
      for (const s of streams) {
        const c = await readCursor(client, s.name, s.object);
        if (c) out.set(s.name, c);
      }
      return out;
    });
  }

  /** Creates or completes the stream's table and reads its cursor; a new table forgets a stale one. */
  async open(stream: PlannedStream): Promise<OpenedStream> {
    return this.withClient(objectLabel(stream), async (client) => {
      const base = tableLayout(stream.spec, stream.primaryKey);
      const table = await ensureTable(client, stream.object, base, stream.spec.description);
      if (table.created) await forgetCursor(client, stream.name, stream.object);
      return {
        layout: tableLayout(stream.spec, stream.primaryKey, table.columns),
        cursor: table.created ? undefined : await readCursor(client, stream.name, stream.object),
      };
    });
  }

  async write(
    stream: PlannedStream,
    opened: OpenedStream,
    pages: AsyncIterable<ApiRecord[]>,
    opts: { until: string; trial: boolean; signal: AbortSignal; onWait: () => void },
  ): Promise<WriteResult> {
    return this.withClient(objectLabel(stream), async (client) => {
      const r = await loadStream(client, stream, opened.layout, pages, { ...opts, loadedAt: new Date().toISOString() });
      const warnings = [
        ...(r.addedColumns.length
          ? [`new field${r.addedColumns.length > 1 ? 's' : ''} ${r.addedColumns.map((c) => `"${c}"`).join(', ')} added as column${r.addedColumns.length > 1 ? 's' : ''} of ${objectLabel(stream)}`]
          : []),
        ...r.rejectedSamples.map(
          (b) => `column ${b.column}: value ${JSON.stringify(b.value)?.slice(0, 60)} does not fit its type; kept in _pdsync_rejected`,
        ),
      ];
      if (r.rejected > r.rejectedSamples.length) warnings.push(`${r.rejected} values in all did not fit their column`);
      return { rowsRead: r.rows, rowsWritten: r.written, warnings };
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs `fn` on a pooled client; database errors become TargetErrors naming `where`. */
  async withClient<T>(where: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((e: Error) => {
      throw new TargetError(`${where}: cannot connect to the target database: ${e.message}`);
    });
    let failed = false;
    // A connection dropped mid-load (server restart, failover) is an error of this stream, not of the process.
    const onError = () => undefined;
    client.on('error', onError);
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
      client.off('error', onError);
      // A client that failed mid-COPY may be in an unknown protocol state: discard it.
      client.release(failed);
    }
  }
}

/** A refused connection: a wrong database, user or password is a configuration mistake (exit 2); the rest are failures. */
function connectError(e: unknown, name: string): Error {
  const { code, message } = e as { code?: string; message: string };
  if (code === '3D000') return new ConfigError(`connection ${name}: ${message}: create it (createdb) or fix the database name in the url`);
  if (code === '28P01' || code === '28000') return new ConfigError(`connection ${name}: ${message}: fix the user or password in the url`);
  return new TargetError(`cannot connect to the target database (connection ${name}): ${message}`);
}

function objectLabel(stream: PlannedStream): string {
  return `${stream.object.schema}.${stream.object.table}`;
}
