import { ApiError } from '../errors.js';
import type { PlannedStream, RelationPlan } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import type { FetchPage } from '../source/page-request.js';
import { applyChanges, lastLogEntries } from '../sinks/postgres/load/incident-changes.js';
import type { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import type { Privileges } from '../sinks/postgres/privileges.js';
import { recordTouches } from '../sinks/postgres/relations/pending.js';
import { appliedAlready, forgetOldEvents } from '../sinks/postgres/bookkeeping/webhook-events.js';
import type { EventSpool } from './event-spool.js';
import { type IncidentNow, readIncident } from './incident-reader.js';
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
    const { read, refused, failed } = await this.readAll(ids, since);
    await this.drop(fresh.filter((e) => e.incidentId !== null && refused.has(e.incidentId)), refused);
    // An incident the API could not give now waits (events and all); the others go ahead of it.
    const ready = fresh.filter((e) => e.incidentId === null || (!refused.has(e.incidentId) && !failed.has(e.incidentId)));
    if (ready.length) await this.write(ready, read);
    const [first] = failed.values();
    if (first) throw first;
  }

  /**
   * Each incident read now. One the API refuses for good (a 4xx other than 401 and 429: a team the
   * key may not see) is `refused`; one that failed otherwise (5xx, network) is `failed`, for later.
   */
  private async readAll(ids: string[], since: Map<string, Date>): Promise<{ read: IncidentNow[]; refused: Map<string, Error>; failed: Map<string, Error> }> {
    const { incidents, logEntries } = this.d;
    const settled = await Promise.allSettled(ids.map((id) => readIncident(this.d.fetch, incidents.spec, logEntries?.spec, id, since.get(id))));
    const read: IncidentNow[] = [];
    const refused = new Map<string, Error>();
    const failed = new Map<string, Error>();
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') return void read.push(s.value);
      const e = s.reason as Error;
      const status = e instanceof ApiError ? (e.status ?? 0) : 0;
      const forGood = status >= 400 && status < 500 && ![401, 408, 429].includes(status);
      (forGood ? refused : failed).set(ids[i]!, e);
    });
    return { read, refused, failed };
  }

  /** Events whose incident the API refuses: off the queue, each said in a line. */
  private async drop(events: QueuedEvent[], why: Map<string, Error>): Promise<void> {
    if (events.length === 0) return;
    await this.d.spool.remove(events.map((e) => e.webhookId));
    for (const e of events) {
      this.d.log.write({ event: 'dropped', webhookId: e.webhookId, eventType: e.eventType, incidentId: e.incidentId, reason: why.get(e.incidentId ?? '')?.message ?? 'refused' });
    }
  }

  private async write(fresh: QueuedEvent[], read: IncidentNow[]): Promise<void> {
    const { target, incidents, logEntries } = this.d;
    const result = await target.withClient(`applying webhooks to ${incidents.object.schema}.${incidents.object.table}`, async (c) => {
      if (Date.now() - this.forgotAt > FORGET_EVERY_MS) {
        await forgetOldEvents(c);
        this.forgotAt = Date.now();
      }
      const relations = this.d.relations;
      return applyChanges(c, this.d.privileges, incidents, logEntries, {
        events: fresh,
        incidents: read.flatMap((r) => (r.incident ? [r.incident] : [])),
        logEntries: read.flatMap((r) => r.entries) as ApiRecord[],
      }, relations && ((client, stream, rows) => recordTouches(client, relations, stream, rows)));
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
