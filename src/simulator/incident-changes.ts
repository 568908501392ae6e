import { API_URL, type Rec, WEB_URL, toReference } from './refs.js';
import { MINUTE, formatTimestamp } from './time.js';

/** The changes of status a test can make happen, each leaving a log entry of its kind. */
export type StatusChange = 'trigger' | 'acknowledge' | 'resolve';

const ACK_TIMEOUT = 30 * MINUTE;

/** The user acting on an incident: its assignee, else its acknowledger. */
export function responderOf(incident: Rec): Rec | undefined {
  const first = (field: string, key: string) => ((incident[field] as Rec[] | undefined)?.[0]?.[key] as Rec | undefined);
  return first('assignments', 'assignee') ?? first('acknowledgements', 'acknowledger');
}

/** Keeps a field only when the incident has it (records added by tests may lack some). */
function ifPresent(incident: Rec, field: string, value: (current: Rec) => unknown): Rec {
  const current = incident[field];
  return current && typeof current === 'object' ? { [field]: value(current as Rec) } : {};
}

/** What resolving changes on the incident, as PagerDuty shows a resolved incident. */
export function resolvedPatch(incident: Rec, atMs: number): Rec {
  const at = formatTimestamp(atMs);
  return {
    updated_at: at,
    status: 'resolved',
    assignments: [],
    last_status_change_at: at,
    resolved_at: at,
    ...ifPresent(incident, 'alert_counts', (c) => ({ all: c.all, triggered: 0, resolved: c.all })),
    pending_actions: [],
    acknowledgements: [],
    ...ifPresent(incident, 'alert_grouping', (g) => ({ ...g, ended_at: at, alert_grouping_active: false })),
    last_status_change_by: responderOf(incident) ?? incident.service,
  };
}

/** What acknowledging changes: one more acknowledgement, and an unacknowledge pending after the timeout. */
export function acknowledgedPatch(incident: Rec, atMs: number): Rec {
  const acknowledger = responderOf(incident);
  if (!acknowledger) throw new Error(`incidents: ${String(incident.id)} has no assignee to acknowledge it`);
  const at = formatTimestamp(atMs);
  return {
    updated_at: at,
    status: 'acknowledged',
    last_status_change_at: at,
    pending_actions: [{ type: 'unacknowledge', at: formatTimestamp(atMs + ACK_TIMEOUT) }],
    acknowledgements: [...((incident.acknowledgements as Rec[] | undefined) ?? []), { at, acknowledger }],
    last_status_change_by: acknowledger,
  };
}

/** Who did it, through which channel, and what only that kind of entry has. */
function entryFields(change: StatusChange, incident: Rec, ackTimeout: unknown): Rec {
  const user = responderOf(incident);
  const name = String(user?.summary);
  switch (change) {
    case 'trigger':
      return { summary: 'Triggered through the API', agent: incident.service, channel: { type: 'api' }, event_details: { description: incident.title } };
    case 'acknowledge':
      return { summary: `Acknowledged by ${name}.`, agent: user, channel: { type: 'website' }, acknowledgement_timeout: ackTimeout };
    case 'resolve':
      return user
        ? { summary: `Resolved by ${name}.`, agent: user, channel: { type: 'website' } }
        : { summary: 'Resolved by timeout.', agent: incident.service, channel: { type: 'timeout' } };
  }
}

/**
 * The log entry a status change leaves, shaped like the generated ones; `incident` is the
 * incident before the change (for the acting user). `ackTimeout`: the service's.
 */
export function statusLogEntry(change: StatusChange, incident: Rec, id: string, atMs: number, ackTimeout: unknown): Rec {
  const incidentId = String(incident.id);
  const { summary, agent, channel, ...extra } = entryFields(change, incident, ackTimeout);
  return {
    id,
    type: `${change}_log_entry`,
    summary,
    self: `${API_URL}/log_entries/${id}?incident_id=${incidentId}`,
    html_url: `${WEB_URL}/incidents/${incidentId}/log_entries/${id}`,
    created_at: formatTimestamp(atMs),
    agent,
    channel,
    service: incident.service,
    incident: toReference(incident),
    teams: incident.teams,
    contexts: [],
    ...extra,
  };
}
