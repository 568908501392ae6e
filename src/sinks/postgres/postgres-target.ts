import pg from 'pg';
import type { Target } from '../target.js';
import { TargetError } from '../../errors.js';
import { firstConnection } from './first-connection.js';
import type { Plan, PlannedStream, TableName } from '../../plan/plan.js';
import { ensureBookkeeping, readCursor, readState, type SavedState } from './bookkeeping/bookkeeping.js';
import { type Privileges, tableExists } from './privileges.js';
import { keepRelations, type RelationsDone } from './relations/keep-relations.js';
import { ensureTeamAccess, prepareRowSecurity } from './row-security.js';
import { keepTeamIds } from './tables/team-ids.js';
import { rowsInRange } from './tables/rows-in-range.js';
import { recordRunEnd, recordRunStart } from './bookkeeping/run-history.js';
import { dropOrphanLoads, type Orphan } from './bookkeeping/orphan-loads.js';
import { databaseNow } from './database-clock.js';
import { literal, objectName, qualified } from './sql.js';
import { type LoadOptions, StreamLoad } from './load/stream-load.js';
import { STATE } from './bookkeeping/schema.js';

/** The PostgreSQL side of a run: one pool, created once and passed the streams to write. */
export class PostgresTarget implements Target<StreamLoad> {
  /** Clients checked out now, with what to do when their connection is lost; a stop cancels what they wait on, server-side. */
  private readonly busy = new Map<pg.PoolClient, (e: Error) => void>();
  /** The error that broke a client's connection, for a message better than "not queryable". */
  private readonly lost = new WeakMap<pg.PoolClient, Error>();
  private runClient: pg.PoolClient | undefined;
  private privileges: Privileges | undefined;
  /** When the run began, by the database's clock: a full refresh keeps rows another writer wrote since. */
  private runStart: Date | undefined;

  private constructor(
    readonly pool: pg.Pool,
    /** The connection URL, with its password: never printed but for `sql --serve`'s own server. */
    readonly url: string,
  ) {}

  /** `name`: the connection, as the user calls it in messages. */
  static async connect(url: string, maxConnections: number, name = 'target'): Promise<PostgresTarget> {
    await firstConnection(url, name);
    const pool = new pg.Pool({ connectionString: url, max: maxConnections, application_name: 'pdsync' });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    return new PostgresTarget(pool, url);
  }

  /**
   * Records the run in `pdsync.runs` (creating pdsync's tables when missing) on a connection the
   * run keeps: its session lock says the run is alive. Returns the staged loads it dropped as
   * orphans (see dropOrphanLoads).
   */
  async startRun(runId: string, startedAt: string, replication: Plan['replication']): Promise<Orphan[]> {
    const client = await this.checkout('recording the run');
    try {
      this.privileges = await ensureBookkeeping(client);
      this.runStart = await databaseNow(client);
      await recordRunStart(client, runId, startedAt);
      const orphans = await dropOrphanLoads(client, replication);
      this.runClient = client;
      return orphans;
    } catch (e) {
      this.checkin(client, true);
      throw targetError(e, 'recording the run');
    }
  }

  /** Per-stream figures of the run, in `pdsync.runs`. */
  async finishRun(runId: string, status: string, streams: unknown[], error: string | null): Promise<void> {
    const client = this.runClient;
    if (!client) return;
    this.runClient = undefined;
    try {
      await recordRunEnd(client, runId, status, streams, error);
    } catch (e) {
      throw targetError(e, 'recording the run');
    } finally {
      this.checkin(client, true);
    }
  }

  /** A stream's saved cursor and sync time, read only; none when its table or pdsync's state is missing. */
  async savedState(stream: PlannedStream): Promise<SavedState> {
    return this.withClient('reading state', async (client) => {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT to_regclass(${literal(STATE)}) IS NOT NULL AND to_regclass($1) IS NOT NULL AS ok`, [qualified(stream.object)]);
      return rows[0]?.ok ? readState(client, stream.name, stream.object) : { cursor: undefined, syncedUntil: undefined };
    });
  }

  /**
   * After the streams: row security by team on the run's tables when asked, then the analytics
   * relations whose inputs exist, made or kept by change. Undefined when the replication turns them off.
   */
  async keepRelations(plan: Plan, rebuild: boolean): Promise<RelationsDone | undefined> {
    const relations = plan.relations;
    if (!relations) return undefined;
    return this.withClient('relations', async (client) => {
      if (relations.rowSecurity) await ensureTeamAccess(client);
      return keepRelations(client, relations, rebuild);
    });
  }

  /** Under row security: the team access table and function, before any table is secured (see prepareRowSecurity). */
  async prepareRowSecurity(plan: Plan): Promise<void> {
    if (!plan.streams.some((s) => s.rowSecurity) && !plan.relations?.rowSecurity) return;
    await this.withClient('row security', (client) => prepareRowSecurity(client));
  }

  /**
   * After the streams: team_ids of rows that take their teams from other tables, made current
   * (see keepTeamIds). A table another run is loading is left to that run. Returns failures, by stream.
   */
  async keepTeamIds(plan: Plan): Promise<{ stream: string; reason: string }[]> {
    const failed: { stream: string; reason: string }[] = [];
    for (const s of plan.streams.filter((x) => x.rowSecurity && x.teamIds)) {
      try {
        await this.withClient(objectName(s.object), (client) => keepTeamIds(client, s));
      } catch (e) {
        failed.push({ stream: s.name, reason: (e as Error).message });
      }
    }
    return failed;
  }

  /** The rows a table holds, or undefined when it does not exist; read only. */
  async rowCount(t: TableName): Promise<number | undefined> {
    return this.withClient('reading a table', async (client) => {
      const { rows } = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [qualified(t)]);
      if (!rows[0]!.ok) return undefined;
      return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(t)}`)).rows[0]!.n);
    });
  }

  /** The rows of a backfill's range its table holds (see rowsInRange); read only. */
  async rowsInRange(stream: PlannedStream): Promise<number | undefined> {
    return this.withClient('reading a table', (client) => rowsInRange(client, stream));
  }

  /** Saved cursors of these streams, read only: for `--dry-run`, which writes nothing. */
  async savedCursors(streams: PlannedStream[]): Promise<Map<string, Date>> {
    return this.withClient('reading state', async (client) => {
      const out = new Map<string, Date>();
      const { rows } = await client.query<{ ok: boolean }>(`SELECT to_regclass(${literal(STATE)}) IS NOT NULL AS ok`);
      if (!rows[0]?.ok) return out;
      for (const s of streams) {
        const c = await readCursor(client, s.name, s.object);
        if (c) out.set(s.name, c);
      }
      return out;
    });
  }

  /**
   * A stream's load, on a connection of its own until `endLoad`. Call after startRun.
   * `onLost`: the connection broke (a restart, a terminated backend): the stream should stop at once.
   */
  async openLoad(stream: PlannedStream, o: LoadOptions, onLost: (e: Error) => void): Promise<StreamLoad> {
    const client = await this.checkout(objectName(stream.object), onLost);
    try {
      return await StreamLoad.open(client, this.privileges!, stream, o, this.runStart!);
    } catch (e) {
      this.checkin(client, true);
      throw targetError(e, objectName(stream.object));
    }
  }

  /** Runs one step of a load, naming its table in a database error (the one that broke the connection, if one did). */
  async step<T>(load: StreamLoad, stream: PlannedStream, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw targetError(this.lost.get(load.client) ?? e, objectName(stream.object));
    }
  }

  /** Closes the load's connection: its lock and temporary tables end with it. */
  endLoad(load: StreamLoad): void {
    this.checkin(load.client, true);
  }

  /** A load that did not publish keeps its staging only when a rerun could use it (see StreamLoad.discardUnlessResumable). */
  async discardFailedLoad(load: StreamLoad): Promise<void> {
    await load.discardUnlessResumable().catch(() => undefined);
  }

  /**
   * Cancels, server-side, whatever the run's connections are waiting on (a lock another
   * session holds, a long statement): a stop takes effect at once and leaves nothing waiting.
   */
  async cancelAll(): Promise<void> {
    const pids = [...this.busy.keys()].map((c) => (c as unknown as { processID?: number }).processID).filter((p): p is number => typeof p === 'number');
    if (pids.length === 0) return;
    const canceller = new pg.Client({ connectionString: this.url, application_name: 'pdsync', connectionTimeoutMillis: 2000 });
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    } catch {
      // The server is gone: there is nothing left to cancel.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.runClient) this.checkin(this.runClient, true);
    await this.pool.end();
  }

  /** Runs `fn` on a pooled client; database errors become TargetErrors naming `where`. */
  async withClient<T>(where: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.checkout(where);
    let failed = false;
    try {
      return await fn(client);
    } catch (e) {
      failed = true;
      throw targetError(e, where);
    } finally {
      this.checkin(client, failed);
    }
  }

  private async checkout(where: string, onLost: (e: Error) => void = () => undefined): Promise<pg.PoolClient> {
    const client = await this.pool.connect().catch((e: Error) => {
      throw new TargetError(`${where}: cannot connect to the target database: ${e.message}`);
    });
    // A connection dropped mid-load (server restart, failover) is an error of this stream, not of the process.
    const listener = (e: Error) => {
      this.lost.set(client, e);
      onLost(e);
    };
    client.on('error', listener);
    this.busy.set(client, listener);
    return client;
  }

  private checkin(client: pg.PoolClient, destroy: boolean): void {
    const listener = this.busy.get(client);
    if (!listener) return;
    this.busy.delete(client);
    client.off('error', listener);
    client.release(destroy);
  }
}

/** A database error, naming where it happened; other errors (the source's) pass through untouched. */
function targetError(e: unknown, where: string): unknown {
  if (e instanceof Error && 'severity' in e) return new TargetError(`${where}: ${e.message}`);
  return e;
}
