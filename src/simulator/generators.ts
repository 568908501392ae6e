import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { auditRecord, auditTimes } from './audit-records.js';
import { changeEventRecord, changeEventTimes } from './change-event-records.js';
import { incidentRecord } from './incident-records.js';
import { logEntryTimes, notificationTimes } from './incident-lifecycle.js';
import { logEntryRecord } from './log-entry-records.js';
import { maintenanceWindowRecord } from './maintenance-window-records.js';
import { notificationRecord } from './notification-records.js';
import { escalationPolicyRecord, scheduleRecord } from './on-call-records.js';
import { tagRecord, teamRecord, userRecord } from './people-records.js';
import { type Rec, head, objectType } from './refs.js';
import { businessServiceRecord, priorityRecord, serviceRecord, vendorRecord } from './service-records.js';
import { DAY, formatTimestamp } from './time.js';
import type { TimeIndex } from './timeline.js';

/** What a default account's size follows: its incidents (after bursts) and its days of history. */
export interface AccountShape {
  incidents: number;
  days: number;
}

/**
 * How the simulator makes one stream's records. The catalogue (specs/pagerduty.yaml) says where
 * the stream is served and how it is paged; this says what its records are.
 */
export interface Generator {
  /** The index-th record (0 <= index < the stream's volume): the same seed gives the same record. */
  record: (a: Account, index: number) => Rec;
  /** Records in an account unless a volume is asked for: a number, or one that follows the account's shape. */
  volume: number | ((shape: AccountShape) => number);
  /** Other records refer to this stream's, so an account needs at least one. */
  referenced?: true;
  /**
   * The times of a stream listed in time windows: they rise with the index, and fill the field
   * the catalogue names as the stream's incremental_key. Without: listed by id, unwindowed.
   */
  times?: (a: Account) => TimeIndex;
  /** Listed newest first (log entries, audit records), as PagerDuty does. */
  newestFirst?: true;
}

const WORKFLOW_ACTIONS = ['Add responders', 'Send a status update', 'Start a Slack channel', 'Start a conference bridge'];

/** Incident workflow w: one step, made in the account's first year, owned by a team or by no one. */
function incidentWorkflowRecord(a: Account, w: number): Rec {
  const r = a.rng('incident_workflows', w);
  const action = r.pick(WORKFLOW_ACTIONS);
  const name = `${action} (workflow ${w + 1})`;
  return {
    ...head('incident_workflows', a.id('incident_workflows', w), name),
    name,
    description: `${action} when a high-urgency incident is triggered`,
    created_at: formatTimestamp(a.startMs + r.int(365) * DAY),
    team: r.chance(0.6) ? refTo(a, 'teams', r.int(a.volumes.teams)) : null,
    is_enabled: r.chance(0.8),
    steps: [{ type: 'step', name: action, action_configuration: { action_id: `pagerduty.com:incident-workflows:${action.toLowerCase().replaceAll(' ', '-')}:1`, inputs: [] } }],
  };
}

const followsIncidents = (perIncident: number) => (s: AccountShape) => Math.round(s.incidents * perIncident);

/**
 * The generated streams, by name: the one place a stream gets its records. The order is part of
 * the ids: append a new stream at the end, so that ids of the streams above stay what they were.
 * Streams derived from others (oncalls, notes, alerts, team members, analytics) are not here.
 */
export const GENERATORS = {
  users: { record: userRecord, volume: 60, referenced: true },
  teams: { record: teamRecord, volume: 8, referenced: true },
  services: { record: serviceRecord, volume: 40, referenced: true },
  escalation_policies: { record: escalationPolicyRecord, volume: 20, referenced: true },
  schedules: { record: scheduleRecord, volume: 15, referenced: true },
  priorities: { record: priorityRecord, volume: 5 },
  tags: { record: tagRecord, volume: 20 },
  business_services: { record: businessServiceRecord, volume: 10 },
  vendors: { record: vendorRecord, volume: 30, referenced: true },
  incidents: { record: incidentRecord, volume: 1200, times: (a) => a.incidentTimes },
  log_entries: { record: logEntryRecord, volume: followsIncidents(10 / 3), times: logEntryTimes, newestFirst: true },
  notifications: { record: notificationRecord, volume: followsIncidents(5 / 6), times: notificationTimes },
  change_events: { record: changeEventRecord, volume: followsIncidents(1 / 3), times: changeEventTimes },
  audit_records: { record: auditRecord, volume: (s) => 3 * s.days, times: auditTimes, newestFirst: true },
  maintenance_windows: { record: maintenanceWindowRecord, volume: 24 },
  incident_workflows: { record: incidentWorkflowRecord, volume: 12 },
} satisfies Record<string, Generator>;

export type GeneratedStream = keyof typeof GENERATORS;

export const GENERATED_STREAMS = Object.keys(GENERATORS) as GeneratedStream[];

export function generatorOf(stream: string): Generator | undefined {
  return Object.hasOwn(GENERATORS, stream) ? (GENERATORS as Record<string, Generator>)[stream] : undefined;
}

/** The generated stream a reference points into, from its type (`user_reference` -> users). */
export function streamOfReference(ref: Rec): GeneratedStream | undefined {
  const base = String(ref.type).replace(/_reference$/, '');
  if (base.endsWith('_log_entry')) return 'log_entries';
  return GENERATED_STREAMS.find((s) => objectType(s) === base);
}
