import type { PlannedStream, RelationPlan } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import type { FetchPage } from '../source/page-request.js';
import { applyChanges, lastLogEntries } from '../target/incident-changes.js';
import type { PostgresTarget } from '../target/postgres-target.js';
import type { Privileges } from '../target/privileges.js';
import { appliedAlready, forgetOldEvents } from '../target/webhook-events.js';
import type { EventSpool } from './event-spool.js';
import { readIncident } from './incident-reader.js';
import type { ListenLog } from './listen-log.js';
import { RelationFollower } from './relation-follower.js';
import type { QueuedEvent } from './webhook-event.js';

/** Incidents read and written per transaction: large enough for a burst, small enough to show progress. */
const BATCH_INCIDENTS = 50;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;
const FORGET_EVERY_MS = 3600_000;

export interface ApplierDeps {
  spool: EventSpool;
  fetch: FetchPage;
  target: PostgresTarget;
  privileges: Privileges;
  incidents: PlannedStream;
  logEntries?: PlannedStream;
  relations?: RelationPlan;
  log: ListenLog;
}

/** The first events of the queue, by occurrence, for at most BATCH_INCIDENTS incidents (other resources' events too). */
function nextBatch(pending: QueuedEvent[]): QueuedEvent[] {
  const incidents = new Set<string>();
  return pending.filter((e) => {
    if (e.incidentId === null || incidents.has(e.incidentId)) return true;
    if (incidents.size >= BATCH_INCIDENTS) return false;
    incidents.add(e.incidentId);
    return true;
  });
}

/**
 * Applies queued webhooks, one batch at a time (so one incident is never written by two
 * transactions at once, and an older read never lands after a newer one): each incident named is
 * read in full, now, through the run's limiter, and written with its new log entries and the
 * deliveries' records in one transaction. Events that arrive for an incident meanwhile are
 * applied by the next batch, which reads it again. An outage (API or database) leaves the queue
 * on disk and is retried, with backoff.
 */
export class IncidentApplier {
  private wakeUp: (() => void) | undefined;
  private stopped = false;
  /** Stopping: the queue is worked through until it is empty, or the caller's deadline. */
  private draining = false;
  private loop: Promise<void> | undefined;
  private forgotAt = 0;
  private readonly relations: RelationFollower | undefined;
  readonly stats = { applied: 0, duplicates: 0, lastAppliedAt: null as string | null, lastError: null as string | null };

  constructor(private readonly d: ApplierDeps) {
    this.relations = d.relations && new RelationFollower(d.target, d.relations, d.log);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New events are queued. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Applies what is queued until the queue is empty or `deadline`, then stops; what is left stays queued. */
  async stop(deadline: Promise<void>): Promise<void> {
    this.draining = true;
    this.wake();
    await Promise.race([Promise.all([this.loop, this.relations?.stop()]), deadline]);
    this.stopped = true;
    this.wake();
  }

  private async run(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      const batch = nextBatch(this.d.spool.pending());
      if (batch.length === 0) {
        if (this.draining) return;
        await this.idle();
        continue;
      }
      try {
        await this.apply(batch);
        retryMs = FIRST_RETRY_MS;
        this.stats.lastError = null;
      } catch (e) {
        this.stats.lastError = (e as Error).message;
        this.d.log.write({ event: 'waiting', reason: (e as Error).message, queued: this.d.spool.size, retryInMs: retryMs });
        await this.idle(retryMs);
        retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
      }
    }
  }

  /** Until woken (or `ms` pass, or the applier stops). */
  private async idle(ms?: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  private async apply(batch: QueuedEvent[]): Promise<void> {
    const { target, incidents, logEntries } = this.d;
    const known = await target.withClient('webhooks', (c) => appliedAlready(c, batch.map((e) => e.webhookId)));
    const fresh = batch.filter((e) => !known.has(e.webhookId));
    await this.done([], batch.filter((e) => known.has(e.webhookId)));
    if (fresh.length === 0) return;
    const ids = [...new Set(fresh.flatMap((e) => (e.incidentId ? [e.incidentId] : [])))];
    const since = logEntries ? await target.withClient('webhooks', (c) => lastLogEntries(c, logEntries, ids)) : new Map<string, Date>();
    const read = await Promise.all(ids.map((id) => readIncident(this.d.fetch, incidents.spec, logEntries?.spec, id, since.get(id))));
    const result = await target.withClient(`applying webhooks to ${incidents.object.schema}.${incidents.object.table}`, async (c) => {
      if (Date.now() - this.forgotAt > FORGET_EVERY_MS) {
        await forgetOldEvents(c);
        this.forgotAt = Date.now();
      }
      return applyChanges(c, this.d.privileges, incidents, logEntries, {
        events: fresh,
        incidents: read.flatMap((r) => (r.incident ? [r.incident] : [])),
        logEntries: read.flatMap((r) => r.entries) as ApiRecord[],
      });
    });
    await this.done(result.applied, result.duplicates);
    if (result.applied.length) this.relations?.changed();
  }

  /** Takes applied and duplicate events off the queue, and says so. */
  private async done(applied: QueuedEvent[], duplicates: QueuedEvent[]): Promise<void> {
    await this.d.spool.remove([...applied, ...duplicates].map((e) => e.webhookId));
    const now = Date.now();
    for (const e of applied) {
      this.d.log.write({ event: 'applied', webhookId: e.webhookId, eventType: e.eventType, incidentId: e.incidentId, msSinceReceived: now - Date.parse(e.receivedAt) });
    }
    for (const e of duplicates) this.d.log.write({ event: 'duplicate', webhookId: e.webhookId, eventType: e.eventType, incidentId: e.incidentId });
    this.stats.applied += applied.length;
    this.stats.duplicates += duplicates.length;
    if (applied.length) this.stats.lastAppliedAt = new Date(now).toISOString();
  }
}
