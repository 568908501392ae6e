import { ApiError } from '../errors.js';
import type { PlannedStream, RelationPlan } from '../plan/plan.js';
import { fieldPicker } from '../plan/field-select.js';
import type { ApiRecord } from '../record.js';
import type { FetchPage } from '../source/page-request.js';
import { applyChanges } from '../sinks/postgres/load/incident-changes.js';
import type { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import type { Privileges } from '../sinks/postgres/privileges.js';
import { recordTouches } from '../sinks/postgres/relations/pending.js';
import { appliedAlready, forgetOldEvents } from '../sinks/postgres/bookkeeping/webhook-events.js';
import type { EventSpool } from './event-spool.js';
import { readRecord } from '../source/read-record.js';
import { readChangeFeed } from './change-feed-read.js';
import type { ListenLog } from './listen-log.js';
import { RelationFollower } from './relation-follower.js';
import type { QueuedEvent } from './webhook-event.js';

/** Incidents read and written per transaction: large enough for a burst, small enough to show progress. */
const BATCH_INCIDENTS = 50;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;
const FORGET_EVERY_MS = 3600_000;
/** The feed is read again from this long before the last read's end: an entry may show in the list a little after it was made. */
const FEED_OVERLAP_MS = 10_000;
/** The read reaches this far past the API's now (changes stamped in the read's own second). */
const FEED_SLACK_MS = 1000;
/** How long an incident's last read answers for the events about it that arrive after it. */
const READ_REMEMBERED_MS = 3600_000;

export interface ApplierDeps {
  spool: EventSpool;
  fetch: FetchPage;
  target: PostgresTarget;
  privileges: Privileges;
  incidents: PlannedStream;
  logEntries?: PlannedStream;
  relations?: RelationPlan;
  log: ListenLog;
  /** Records per page and the offset cap, as a run pages. */
  paging: { pageLimit: number; maxOffset: number };
  /** The API's clock: a read of the feed ends at its now. */
  now: () => Date;
}

/** What a batch read: incidents in full, log entries, and which incidents could not be read now or ever. */
interface BatchRead {
  incidents: Map<string, ApiRecord>;
  entries: ApiRecord[];
  refused: Map<string, Error>;
  failed: Map<string, Error>;
  /** The span of the feed read (none when every event was answered by an earlier read). */
  span?: Span;
}

/** A span of the change feed read, in ms: its log entries, and its incidents as of its end. */
interface Span {
  since: number;
  until: number;
}

/** An event at `at` is answered by a read whose span holds it: its log entry and the incident's state after it came then. */
function covered(span: Span | undefined, at: number): boolean {
  return span !== undefined && span.since <= at && at <= span.until;
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
 * transactions at once, and an older read never lands after a newer one). A batch catches up
 * through the account's change feed (the log entries since the last read, with their incidents
 * in full): one request covers up to 100 changes, and brings changes whose webhooks are still on
 * their way. An incident an event names that the feed did not bring is read alone. An event
 * about an incident read after it occurred costs no request. Incidents, log entries and the
 * deliveries' records are written in one transaction. An outage (API or database) leaves the
 * queue on disk and is retried, with backoff.
 */
export class IncidentApplier {
  private wakeUp: (() => void) | undefined;
  private stopped = false;
  /** Stopping: the queue is worked through until it is empty, or the caller's deadline. */
  private draining = false;
  private loop: Promise<void> | undefined;
  private forgotAt = 0;
  /** The span of the feed read that last brought each incident, by id. */
  private readonly readSpans = new Map<string, Span>();
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
    const { target } = this.d;
    const known = await target.withClient('webhooks', (c) => appliedAlready(c, batch.map((e) => e.eventKey)));
    const fresh = batch.filter((e) => !known.has(e.eventKey));
    await this.done([], batch.filter((e) => known.has(e.eventKey)));
    if (fresh.length === 0) return;
    const read = await this.read(fresh);
    await this.drop(fresh.filter((e) => e.incidentId !== null && read.refused.has(e.incidentId)), read.refused);
    // An incident the API could not give now waits (events and all); the others go ahead of it.
    const ready = fresh.filter((e) => e.incidentId === null || (!read.refused.has(e.incidentId) && !read.failed.has(e.incidentId)));
    if (ready.length) await this.write(ready, read);
    if (read.span) {
      for (const id of read.incidents.keys()) this.readSpans.set(id, read.span);
      this.forgetOldReads();
    }
    const [first] = read.failed.values();
    if (first) throw first;
  }

  /**
   * The incidents of a batch's events as they are now: the change feed from the earliest event
   * (less an overlap), then, one by one, those it did not bring. Nothing is read when each event
   * falls in a span an earlier read of its incident covered.
   */
  private async read(events: QueuedEvent[]): Promise<BatchRead> {
    const waiting = events.filter((e) => e.incidentId !== null && !covered(this.readSpans.get(e.incidentId), Date.parse(e.occurredAt)));
    const out: BatchRead = { incidents: new Map(), entries: [], refused: new Map(), failed: new Map() };
    if (waiting.length === 0) return out;
    const times = waiting.map((e) => Date.parse(e.occurredAt));
    // The API's clock as last heard may lag an event it has since sent: the read covers every event of the batch.
    const until = Math.max(this.d.now().getTime(), ...times);
    const since = Math.min(...times) - FEED_OVERLAP_MS;
    // Windows end before `until`; a change stamped in the read's own second is included.
    const window = { since: new Date(since), until: new Date(until + FEED_SLACK_MS) };
    const feed = await readChangeFeed(this.d.fetch, this.d.incidents.changes!, window, this.d.paging);
    const missing = [...new Set(waiting.map((e) => e.incidentId!))].filter((id) => !feed.changed.has(id));
    const settled = await Promise.allSettled(missing.map((id) => readRecord(this.d.fetch, this.d.incidents.spec, id)));
    settled.forEach((s, i) => {
      const id = missing[i]!;
      if (s.status === 'fulfilled') return void (s.value && feed.changed.set(id, s.value));
      const e = s.reason as Error;
      const status = e instanceof ApiError ? (e.status ?? 0) : 0;
      // Refused for good (a 4xx other than 401, 408 and 429: a team the key may not see): the event is dropped.
      const forGood = status >= 400 && status < 500 && ![401, 408, 429].includes(status);
      (forGood ? out.refused : out.failed).set(id, e);
    });
    return { ...out, incidents: feed.changed, entries: feed.entries, span: { since, until } };
  }

  /** Spans that ended long ago are forgotten: an event so late is read again. */
  private forgetOldReads(): void {
    const before = Date.now() - READ_REMEMBERED_MS;
    for (const [id, span] of this.readSpans) if (span.until < before) this.readSpans.delete(id);
  }

  /** Events whose incident the API refuses: off the queue, each said in a line. */
  private async drop(events: QueuedEvent[], why: Map<string, Error>): Promise<void> {
    if (events.length === 0) return;
    await this.d.spool.remove(events.map((e) => e.eventKey));
    for (const e of events) {
      this.d.log.write({ event: 'dropped', webhookId: e.webhookId, eventType: e.eventType, incidentId: e.incidentId, reason: why.get(e.incidentId ?? '')?.message ?? 'refused' });
    }
  }

  private async write(fresh: QueuedEvent[], read: BatchRead): Promise<void> {
    const { target, incidents, logEntries } = this.d;
    const result = await target.withClient(`applying webhooks to ${incidents.object.schema}.${incidents.object.table}`, async (c) => {
      if (Date.now() - this.forgotAt > FORGET_EVERY_MS) {
        await forgetOldEvents(c);
        this.forgotAt = Date.now();
      }
      const relations = this.d.relations;
      // The replication's select holds here too: a field it leaves out is never written.
      const batch = { events: fresh, incidents: [...read.incidents.values()].map(fieldPicker(incidents.select)), logEntries: read.entries.map(fieldPicker(logEntries?.select)) };
      return applyChanges(c, this.d.privileges, incidents, logEntries, batch, relations && ((client, stream, rows) => recordTouches(client, relations, stream, rows)));
    });
    await this.done(result.applied, result.duplicates);
    if (result.applied.length) this.relations?.changed();
  }

  /** Takes applied and duplicate events off the queue, and says so. */
  private async done(applied: QueuedEvent[], duplicates: QueuedEvent[]): Promise<void> {
    await this.d.spool.remove([...applied, ...duplicates].map((e) => e.eventKey));
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
