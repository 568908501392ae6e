import type { PoolClient } from 'pg';
import type { Load, LoadOptions, WriteResult } from '../../target.js';
import type { PlannedStream, RelationPlan } from '../../../plan/plan.js';
import { recordTouches } from '../relations/pending.js';
import type { StreamItem } from '../../../source/stream-item.js';
import { readState, type SavedState } from '../bookkeeping/bookkeeping.js';
import { BatchCopy } from './batch-copy.js';
import { emptyReport } from './copy-row-encoder.js';
import { existingColumns } from '../tables/ddl.js';
import { forgetLoad, markPartDone, readLoad, registerLoad } from '../bookkeeping/load-registry.js';
import { type Privileges, canCreateIn, requireCreateIn, requireCreateSchema, requireRowPrivileges, schemaExists, tableExists } from '../privileges.js';
import { publish, type Published } from './publish.js';
import { objectName } from '../sql.js';
import { databaseNow } from '../database-clock.js';
import { createStaging, dropPart, dropStaging, nextSeq, type StagingTable, stagingTable, stagingTableName } from './staging-table.js';
import { dropParts, type Resumed, resumeStaging, stagedKeys } from './resume.js';
import { streamLayout, type TableLayout, TEAM_IDS } from '../tables/table-layout.js';
import type { ColumnType } from '../../../catalogue/catalogue.js';
import { requireTeamSecurity } from '../row-security.js';
import { loadWarnings } from './load-warnings.js';
import { leftOutColumns, leftOutWarning } from './left-out-columns.js';
import { inTransaction } from '../transaction.js';
import { BOOKKEEPING_SCHEMA } from '../bookkeeping/schema.js';

export type { LoadOptions, WriteResult };

const objectLock = (stream: PlannedStream) => `pdsync:${objectName(stream.object)}`;

/**
 * Waits for another run's table lock for as long as that run takes: a managed server's
 * statement_timeout or lock_timeout is lifted for this statement alone (a session lock outlives
 * the transaction that took it). A stop cancels the wait (PostgresTarget.cancelAll).
 */
async function waitForLock(client: PoolClient, name: string): Promise<void> {
  await inTransaction(client, async () => {
    await client.query('SET LOCAL lock_timeout = 0');
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
  }, { unbounded: true });
}

/**
 * One stream's load on a connection of its own: it holds the table's lock (two runs never
 * interleave writes to one table) from open to publish, stages batches as records arrive, and
 * publishes in one transaction. The connection is closed after the load, which ends its lock and
 * its temporary tables; a persistent staging table stays for the next run when the load failed.
 */
export class StreamLoad implements Load {
  private batches: BatchCopy | undefined;
  private staging: StagingTable | undefined;
  private rowsRead = 0;
  /** When this load's reading began (a resumed load: when the run that staged it began). */
  private readStart: Date;
  /** A child stream's parents read whole, in this load. */
  private readonly parents: string[] = [];
  /** Parts (windows, pieces) staged whole, a resumed load's included: what a rerun could use. */
  private partsDone = 0;
  resumed: Resumed | undefined;
  /** A killed run's staging was dropped: the stream's staged windows cannot be proven current. */
  droppedUnprovable = false;
  /** Columns select leaves out that still hold earlier runs' values (see leftOutColumns). */
  private leftOut: string[] = [];

  private constructor(
    readonly client: PoolClient,
    private readonly p: Privileges,
    private readonly stream: PlannedStream,
    private readonly layout: TableLayout,
    /** The saved cursor and sync time, when the table exists and the stream is incremental. */
    private readonly saved: SavedState,
    private readonly o: LoadOptions,
    runStart: Date,
  ) {
    this.readStart = runStart;
  }

  /**
   * Takes the table's lock, checks the privileges the load will need, reads layout and cursor.
   * Writes nothing. `runStart`: when the run began (before any wait for the lock), by the
   * database's clock: rows another writer wrote since are not this load's to remove.
   */
  static async open(client: PoolClient, p: Privileges, stream: PlannedStream, o: LoadOptions, runStart: Date): Promise<StreamLoad> {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [objectLock(stream)]);
    if (!rows[0]!.ok) {
      o.onWait();
      await waitForLock(client, objectLock(stream));
    }
    const live = await tableExists(client, stream.object);
    if (live) {
      const needed = stream.mode === 'full-refresh' && !o.trial ? ['SELECT', 'INSERT', 'DELETE'] : ['SELECT', 'INSERT', 'UPDATE'];
      await requireRowPrivileges(client, p, stream.object, needed);
    } else if (await schemaExists(client, stream.object.schema)) {
      await requireCreateIn(client, p, stream.object);
    } else {
      await requireCreateSchema(client, p, stream.object.schema);
    }
    const existing = live ? await existingColumns(client, stream.object) : new Map<string, ColumnType>();
    const layout = streamLayout(stream, existing);
    await requireTeamSecurity(client, p, stream, existing, layout.columns.some((c) => c.name === TEAM_IDS));
    const saved = live && stream.mode === 'incremental' ? await readState(client, stream.name, stream.object) : { cursor: undefined, syncedUntil: undefined };
    const load = new StreamLoad(client, p, stream, layout, saved, o, runStart);
    load.leftOut = await leftOutColumns(client, stream, existing);
    return load;
  }

  /** The saved cursor: the largest incremental key published. */
  get cursor(): Date | undefined {
    return this.saved.cursor;
  }

  /** When the last published run of this stream read up to: changes are looked for from there. */
  get syncedUntil(): Date | undefined {
    return this.saved.syncedUntil;
  }

  /**
   * Makes the staging table: the one a killed run left, when it may be resumed (see
   * resumeStaging); else a new one, registered in the same transaction.
   */
  async begin(plannedWindows: { since: Date; until: Date }[]): Promise<Resumed | undefined> {
    const mode = this.o.trial ? 'trial' : this.stream.mode;
    const persistent = !this.o.trial && (await canCreateIn(this.client, BOOKKEEPING_SCHEMA));
    this.staging = stagingTable(stagingTableName(this.stream.name, this.stream.object, mode), this.layout, persistent, this.stream.rowSecurity);
    const previous = persistent ? await readLoad(this.client, this.stream.name, this.stream.object) : undefined;
    const kept = previous && (await resumeStaging(this.client, this.stream, this.staging, previous, { mode, runId: this.o.runId, replication: this.o.replication, windows: plannedWindows }));
    this.resumed = kept?.resumed;
    this.droppedUnprovable = kept?.resumed === undefined && kept?.unprovable === true;
    if (!this.resumed) await this.freshStaging(mode, previous?.staging);
    if (this.resumed) {
      this.readStart = this.resumed.startedAt;
      this.partsDone = this.resumed.parts.size;
    }
    const seq = this.resumed ? await nextSeq(this.client, this.staging) : 0;
    this.batches = new BatchCopy(this.client, this.staging, this.layout, (await databaseNow(this.client)).toISOString(), emptyReport(seq));
    return this.resumed;
  }

  /** A new staging table (an earlier one dropped), and its row in pdsync.loads, together: no staging table is ever unregistered. */
  private async freshStaging(mode: string, previous: string | undefined): Promise<void> {
    const staging = this.staging!;
    await inTransaction(this.client, async () => {
      if (previous) await dropStaging(this.client, { schema: BOOKKEEPING_SCHEMA, table: previous });
      await dropStaging(this.client, staging.name);
      await createStaging(this.client, staging);
      if (staging.persistent) {
        await registerLoad(this.client, this.stream.name, this.stream.object, {
          mode, staging: staging.name.table, run_id: this.o.runId, until: new Date(this.o.until), started_at: this.readStart, replication: this.o.replication,
        }, []);
      }
    });
  }

  /** Distinct keys staged per part (a resumed load's windows, to count again at the source). */
  async stagedKeys(): Promise<Map<string, number>> {
    return stagedKeys(this.client, this.staging!, this.layout.key);
  }

  /** Drops staged parts found stale: they are read again. */
  async dropParts(parts: string[]): Promise<void> {
    if (this.resumed) this.resumed = await dropParts(this.client, this.stream, this.staging!, this.resumed, parts);
  }

  /** Takes what the source delivers: records are staged; a restart voids a part; a done part is marked, once its rows are copied. */
  async accept(item: StreamItem): Promise<void> {
    const batches = this.batches!;
    if (item.kind === 'records') {
      this.rowsRead += item.records.length;
      return batches.add(item.records, item.part);
    }
    if (item.kind === 'parent') return void this.parents.push(item.key);
    await batches.flush();
    if (item.kind === 'restart') return dropPart(this.client, this.staging!, item.part);
    if (this.staging!.persistent) await markPartDone(this.client, this.stream.name, this.stream.object, item.part);
    this.partsDone += 1;
  }

  /**
   * After a load that did not publish: its staging table stays for the next run only when it holds
   * finished parts that run can skip; else it goes, with its entry in pdsync.loads.
   */
  async discardUnlessResumable(): Promise<void> {
    const staging = this.staging;
    if (!staging?.persistent || this.partsDone > 0) return;
    await dropStaging(this.client, staging.name);
    await forgetLoad(this.client, this.stream.name, this.stream.object);
  }

  async publish(signal: AbortSignal): Promise<WriteResult> {
    await this.batches!.flush();
    const relations = this.o.relations;
    const published: Published = await publish(this.client, this.p, this.stream, this.layout, this.staging!, {
      until: this.o.until, trial: this.o.trial, signal, readStart: this.readStart.toISOString(), parents: this.parents,
      ...(relations ? { touched: (rows: string) => recordTouches(this.client, relations, this.stream.name, rows) } : {}),
    });
    const warnings = loadWarnings(this.stream, this.batches!.report, published, this.resumed);
    if (this.leftOut.length) warnings.push(leftOutWarning(this.stream, this.leftOut));
    return { rowsRead: this.rowsRead, rowsWritten: published.written, rowsChanged: published.changed, rowsRemoved: published.removed, warnings };
  }
}
