import type { Account } from './account.js';
import { alertsOf } from './alert-records.js';
import { analyticsRow } from './analytics-rows.js';
import { LongIdCodec } from './ids.js';
import { type EntriesOf, entriesReader } from './incident-log.js';
import { notesOf } from './incident-notes.js';
import type { Range } from './ordered-view.js';
import type { Rec } from './refs.js';
import type { StreamStore } from './stream-store.js';
import { membersOf } from './team-members.js';

/** Streams computed from others when read: children of incidents and teams, and analytics rows. */
export const DERIVED_STREAMS = ['incident_notes', 'incident_alerts', 'team_members', 'analytics_incidents'] as const;
export type DerivedStream = (typeof DERIVED_STREAMS)[number];

export function isDerived(stream: string): stream is DerivedStream {
  return (DERIVED_STREAMS as readonly string[]).includes(stream);
}

/**
 * Notes, alerts, team members and analytics rows, computed from the stored incidents, log
 * entries and users, so they follow every change tests make to those.
 */
export class DerivedStreams {
  private readonly alertIds: LongIdCodec;

  constructor(
    private readonly a: Account,
    private readonly store: StreamStore,
  ) {
    this.alertIds = new LongIdCodec(a.seed);
  }

  /** A reader of incidents' log entries as they are now; take one per request. */
  entries(): EntriesOf {
    return entriesReader(this.a, this.store.lookup, this.store.added('log_entries'));
  }

  /** undefined: no such incident (404). */
  notesOf(incidentId: string, entries = this.entries()): Rec[] | undefined {
    const incident = this.store.lookup('incidents', incidentId);
    return incident && notesOf(this.a, incident, entries(incident));
  }

  alertsOf(incidentId: string): Rec[] | undefined {
    const incident = this.store.lookup('incidents', incidentId);
    return incident && alertsOf(this.a, this.alertIds, incident);
  }

  membersOf(teamId: string, users = this.users()): Rec[] | undefined {
    if (!this.store.lookup('teams', teamId)) return undefined;
    return membersOf(this.a.seed, teamId, users);
  }

  /** How a child stream's records of one parent are found, by stream; undefined for other streams. */
  childrenOf(stream: string): ((parentId: string) => Rec[] | undefined) | undefined {
    if (stream === 'incident_notes') return (id) => this.notesOf(id);
    if (stream === 'incident_alerts') return (id) => this.alertsOf(id);
    if (stream === 'team_members') return (id) => this.membersOf(id);
    return undefined;
  }

  private users(): Rec[] {
    return Array.from(this.store.scan('users', {}), (p) => p.record);
  }

  /** Analytics rows of these incidents (stored records), reading their log once. */
  rowsOf(incidents: readonly Rec[], entries = this.entries()): Rec[] {
    return incidents.map((incident) => {
      const i = this.a.ids.decode('incidents', String(incident.id));
      const p = this.a.ids.decode('priorities', String((incident.priority as Rec | null)?.id));
      return analyticsRow({
        incident,
        entries: entries(incident),
        notifications: i !== undefined && i < this.a.volumes.incidents ? this.a.notificationSlots.count(i) : 0,
        priorityOrder: p === undefined ? null : this.a.volumes.priorities - p,
      });
    });
  }

  /**
   * Every record of a derived stream. Children carry their parent's key as the sync stores it
   * (incident_id, team_id); a range selects the children of incidents created in it, and the
   * analytics rows of those incidents.
   */
  *records(stream: DerivedStream, range: Range): Generator<Rec> {
    if (stream === 'team_members') {
      const users = this.users();
      for (const { record: team } of this.store.scan('teams', {})) {
        for (const m of this.membersOf(String(team.id), users) ?? []) yield { ...m, team_id: team.id };
      }
      return;
    }
    const entries = this.entries();
    for (const { record: incident } of this.store.scan('incidents', range)) {
      const id = String(incident.id);
      if (stream === 'analytics_incidents') yield this.rowsOf([incident], entries)[0]!;
      else if (stream === 'incident_notes') for (const n of notesOf(this.a, incident, entries(incident))) yield { ...n, incident_id: id };
      else for (const al of alertsOf(this.a, this.alertIds, incident)) yield { ...al, incident_id: id };
    }
  }

  /** Keys the same way: ids, and JSON.stringify([team id, user id]) for members. */
  ids(stream: DerivedStream, range: Range): string[] {
    return Array.from(this.records(stream, range), (r) =>
      stream === 'team_members' ? JSON.stringify([r.team_id, (r.user as Rec).id]) : String(r.id),
    );
  }
}
