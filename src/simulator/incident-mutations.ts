import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { type StatusChange, acknowledgedPatch, resolvedPatch, responderOf, statusLogEntry } from './incident-changes.js';
import { incidentFacts, newIncidentFacts } from './incident-lifecycle.js';
import { annotateLogEntry } from './incident-notes.js';
import { incidentRecordOf } from './incident-records.js';
import type { Rec } from './refs.js';
import { SECOND, ceilToSecond, formatTimestamp } from './time.js';

/** What a webhook subscription hears of a change: the incident after it, and the log entry it left. */
export interface IncidentEvent {
  type: 'incident.triggered' | 'incident.acknowledged' | 'incident.resolved' | 'incident.annotated';
  incident: Rec;
  entry: Rec;
  /** incident.annotated only: the note added. */
  note?: { id: string; content: string };
}

/** Records as stored, before any field additions, and the overlay's changes to them. */
export interface RecordStore {
  get(stream: string, id: string): Rec | undefined;
  add(stream: string, record: Rec): void;
  update(stream: string, id: string, patch: Rec): void;
}

/**
 * Time passing between runs: incidents acknowledged, resolved or created later than the data,
 * each change leaving its log entry. New records take indices past the generated ones, so their
 * ids are PagerDuty-shaped and never collide with generated ids.
 */
export class IncidentMutations {
  private incidentsAdded = 0;
  private entriesAdded = 0;

  constructor(
    private readonly a: Account,
    private readonly store: RecordStore,
    private readonly now: () => Date,
    private readonly emit: (e: IncidentEvent) => void = () => {},
  ) {}

  /** Returns the id of the new log entry. */
  change(change: Exclude<StatusChange, 'trigger'>, id: string, at?: Date): string {
    const incident = this.store.get('incidents', id);
    if (!incident) throw new Error(`incidents: no record ${id} to ${change}`);
    if (incident.status === 'resolved') throw new Error(`incidents: ${id} is already resolved`);
    const atMs = this.whenOf(at);
    const lastMs = Date.parse(String(incident.last_status_change_at ?? incident.created_at));
    if (atMs < lastMs) {
      throw new RangeError(`incidents: ${id} cannot ${change} at ${formatTimestamp(atMs)}, before its last change at ${formatTimestamp(lastMs)}`);
    }
    const serviceId = (incident.service as Rec | undefined)?.id;
    const ackTimeout = typeof serviceId === 'string' ? this.store.get('services', serviceId)?.acknowledgement_timeout ?? null : null;
    const entry = statusLogEntry(change, incident, this.a.id('log_entries', this.nextEntry()), atMs, ackTimeout);
    this.store.update('incidents', id, change === 'resolve' ? resolvedPatch(incident, atMs) : acknowledgedPatch(incident, atMs));
    this.store.add('log_entries', entry);
    const type = change === 'resolve' ? 'incident.resolved' : 'incident.acknowledged';
    this.emit({ type, incident: this.store.get('incidents', id)!, entry });
    return String(entry.id);
  }

  /** `count` triggered incidents, one a second from `at`, each with its trigger log entry; returns their ids. */
  add(count: number, at?: Date): string[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`addIncidents: ${count} is not a count`);
    const startMs = this.whenOf(at);
    return Array.from({ length: count }, (_, k) => {
      const i = this.a.volumes.incidents + this.incidentsAdded++;
      const createdMs = startMs + k * SECOND;
      const j = this.nextEntry();
      const incident = incidentRecordOf(this.a, i, newIncidentFacts(this.a, i, createdMs), j);
      const entry = statusLogEntry('trigger', incident, this.a.id('log_entries', j), createdMs, null);
      this.store.add('incidents', incident);
      this.store.add('log_entries', entry);
      this.emit({ type: 'incident.triggered', incident, entry });
      return String(incident.id);
    });
  }

  /** A note by the incident's responder, logged as an annotate entry; returns the note's id. */
  note(id: string, content: string, at?: Date): string {
    const incident = this.store.get('incidents', id);
    if (!incident) throw new Error(`incidents: no record ${id} to add a note to`);
    const atMs = this.whenOf(at);
    if (atMs < Date.parse(String(incident.created_at))) throw new RangeError(`incidents: ${id} was created after ${formatTimestamp(atMs)}`);
    const j = this.nextEntry();
    const entry = annotateLogEntry(incident, this.a.id('log_entries', j), atMs, this.authorOf(incident), content);
    this.store.add('log_entries', entry);
    const noteId = this.a.id('incident_notes', j);
    this.emit({ type: 'incident.annotated', incident, entry, note: { id: noteId, content } });
    return noteId;
  }

  /** Who writes a note: the assignee or acknowledger, else whoever last changed it, else its first responder. */
  private authorOf(incident: Rec): Rec {
    const last = incident.last_status_change_by as Rec | undefined;
    const user = responderOf(incident) ?? (last?.type === 'user_reference' ? last : undefined);
    if (user) return user;
    const i = this.a.ids.decode('incidents', String(incident.id));
    return refTo(this.a, 'users', i !== undefined && i < this.a.volumes.incidents ? incidentFacts(this.a, i).responder : 0);
  }

  /** PagerDuty's timestamps are whole seconds: a change at `at` shows at the next whole second. */
  private whenOf(at: Date | undefined): number {
    const ms = (at ?? this.now()).getTime();
    if (Number.isNaN(ms)) throw new RangeError('invalid date');
    return ceilToSecond(ms);
  }

  /** The index of the next log entry added, past the generated ones. */
  private nextEntry(): number {
    return this.a.volumes.log_entries + this.entriesAdded++;
  }
}
