import type { Catalogue } from '../catalogue/catalogue.js';
import { Account, type AccountOptions } from './account.js';
import { DERIVED_STREAMS, DerivedStreams, isDerived } from './derived-streams.js';
import type { FieldValue } from './field-additions.js';
import { type IncidentEvent, IncidentMutations } from './incident-mutations.js';
import { type Lookup, present } from './includes.js';
import type { Range } from './ordered-view.js';
import type { Rec } from './refs.js';
import { type ListPage, StreamStore } from './stream-store.js';

export type { ListPage } from './stream-store.js';

export interface Dataset {
  streams(): string[];
  /**
   * All records of a stream as the list endpoint returns them with the catalogue's default
   * include[], optionally only those whose window field is in [since, until). For oncalls: those
   * overlapping [since, until), or current at `now` when no range. change_events filter on
   * timestamp, audit_records (newest first) on execution_time, analytics_incidents on created_at.
   * incident_notes and incident_alerts carry `incident_id`, team_members `team_id` (the API does
   * not send them); a range selects the notes and alerts of incidents created in it. Iterates lazily.
   */
  records(stream: string, range?: { since?: Date; until?: Date }): Iterable<Record<string, unknown>>;
  /**
   * Keys the same way; for oncalls JSON.stringify([policy id, level, schedule id or null, user id, start]),
   * for team_members JSON.stringify([team id, user id]).
   */
  ids(stream: string, range?: { since?: Date; until?: Date }): string[];
  count(stream: string): number;
  deleteRecord(stream: string, id: string): void;
  updateRecord(stream: string, id: string, patch: Record<string, unknown>): void;
  addRecord(stream: string, record: Record<string, unknown>): void;
  /**
   * Resolves an open incident at `at` (default: the clock's now, rounded up to the second), as
   * PagerDuty would, and adds its resolve_log_entry; returns the entry's id.
   */
  resolveIncident(id: string, at?: Date): string;
  /** Acknowledges a triggered or acknowledged incident, adding its acknowledge_log_entry; returns the entry's id. */
  acknowledgeIncident(id: string, at?: Date): string;
  /**
   * Adds a note to an incident at `at` (default: the clock's now, rounded up to the second), by its
   * responder, with the annotate_log_entry PagerDuty logs for it; returns the note's id.
   */
  addNote(incidentId: string, content: string, at?: Date): string;
  /** New triggered incidents, one a second from `at` (default: now), each with its trigger log entry; returns their ids. */
  addIncidents(count: number, at?: Date): string[];
  /** A new top-level field on every record of a generated stream, computed from the stored record (references unexpanded). */
  addField(stream: string, field: string, valueOf: FieldValue): void;
}

export interface DatasetOptions extends AccountOptions {
  now: () => Date;
  /** The streams served: their default include[] (applied by records()), incremental keys and order. */
  catalogue: Catalogue;
  /** Hears every incident mutation (resolve, acknowledge, add, note), once the change is stored. */
  onIncidentEvent?: (e: IncidentEvent) => void;
}

/** The simulator's source of truth: generated records plus the changes tests made to them. */
export class SimulatedDataset implements Dataset {
  readonly account: Account;
  readonly store: StreamStore;
  readonly derived: DerivedStreams;
  private readonly incidents: IncidentMutations;

  constructor(private readonly options: DatasetOptions) {
    this.account = new Account(options.seed, options);
    this.store = new StreamStore(this.account, (stream) => options.catalogue.streams[stream]?.incremental_key);
    this.derived = new DerivedStreams(this.account, this.store);
    this.incidents = new IncidentMutations(
      this.account,
      {
        get: (stream, id) => this.store.get(stream, id),
        add: (stream, record) => this.addRecord(stream, record),
        update: (stream, id, patch) => this.updateRecord(stream, id, patch),
      },
      options.now,
      options.onIncidentEvent,
    );
  }

  /** In catalogue order. */
  streams(): string[] {
    const served = new Set([...this.store.streams(), ...DERIVED_STREAMS]);
    return Object.keys(this.options.catalogue.streams).filter((s) => served.has(s));
  }

  /** The stored record with this key, as changed by tests; for include[] expansion. */
  get lookup(): Lookup {
    return this.store.lookup;
  }

  /** One record as records() presents it, or with `include` instead of the default include[]. */
  presented(stream: string, id: string, include?: ReadonlySet<string>): Rec | undefined {
    const r = this.store.lookup(stream, id);
    return r && present(stream, r, include ?? this.defaultIncludes(stream), this.store.lookup);
  }

  page(stream: string, range: Range, offset: number, limit: number, include: ReadonlySet<string>): ListPage {
    return this.store.page(stream, range, offset, limit, include);
  }

  records(stream: string, range?: { since?: Date; until?: Date }): Iterable<Rec> {
    if (isDerived(stream)) return this.derived.records(stream, this.toRange(stream, range));
    return this.store.presented(stream, this.toRange(stream, range), this.defaultIncludes(stream));
  }

  ids(stream: string, range?: { since?: Date; until?: Date }): string[] {
    if (isDerived(stream)) return this.derived.ids(stream, this.toRange(stream, range));
    return this.store.ids(stream, this.toRange(stream, range));
  }

  count(stream: string): number {
    return isDerived(stream) ? this.derived.ids(stream, {}).length : this.store.count(stream, this.toRange(stream));
  }

  deleteRecord(stream: string, id: string): void {
    this.store.deleteRecord(this.generated(stream), id);
  }

  updateRecord(stream: string, id: string, patch: Record<string, unknown>): void {
    this.store.updateRecord(this.generated(stream), id, patch);
  }

  addRecord(stream: string, record: Record<string, unknown>): void {
    this.store.addRecord(this.generated(stream), record);
  }

  resolveIncident(id: string, at?: Date): string {
    return this.incidents.change('resolve', id, at);
  }

  acknowledgeIncident(id: string, at?: Date): string {
    return this.incidents.change('acknowledge', id, at);
  }

  addNote(incidentId: string, content: string, at?: Date): string {
    return this.incidents.note(incidentId, content, at);
  }

  addIncidents(count: number, at?: Date): string[] {
    return this.incidents.add(count, at);
  }

  addField(stream: string, field: string, valueOf: FieldValue): void {
    this.store.addField(this.generated(stream), field, valueOf);
  }

  private defaultIncludes(stream: string): ReadonlySet<string> {
    return new Set(this.options.catalogue.streams[stream]?.include ?? []);
  }

  /** Derived streams follow the records they come from: tests change those instead. */
  private generated(stream: string): string {
    if (isDerived(stream)) throw new Error(`${stream}: computed from incidents, log entries, teams and users; change those instead`);
    return stream;
  }

  /** Dates to ms; on-calls without a range are those on call now. */
  private toRange(stream: string, range?: { since?: Date; until?: Date }): Range {
    if (stream !== 'oncalls') return { sinceMs: range?.since?.getTime(), untilMs: range?.until?.getTime() };
    const now = this.options.now().getTime();
    const sinceMs = range?.since?.getTime() ?? now;
    return { sinceMs, untilMs: range?.until?.getTime() ?? sinceMs };
  }
}
