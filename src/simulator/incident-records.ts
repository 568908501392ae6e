import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { alertCount } from './alert-records.js';
import { type IncidentFacts, incidentFacts } from './incident-lifecycle.js';
import { API_URL, type Rec, WEB_URL, head } from './refs.js';
import { MINUTE, SECOND, formatTimestamp } from './time.js';

/** The reference an incident keeps to its first log entry (always a trigger through the API). */
function triggerEntryRef(a: Account, entry: number, incidentId: string): Rec {
  const id = a.id('log_entries', entry);
  return {
    id,
    type: 'trigger_log_entry_reference',
    summary: 'Triggered through the API',
    self: `${API_URL}/log_entries/${id}?incident_id=${incidentId}`,
    html_url: `${WEB_URL}/incidents/${incidentId}/log_entries/${id}`,
  };
}

export function incidentRecord(a: Account, i: number): Rec {
  const entries = a.logEntrySlots;
  return incidentRecordOf(a, i, incidentFacts(a, i), entries.count(i) > 0 ? entries.first(i) : null);
}

/** Incident index i with these facts, whose first log entry (a trigger) has index `firstEntry`. */
export function incidentRecordOf(a: Account, i: number, f: IncidentFacts, firstEntry: number | null): Rec {
  const r = a.rng('incidents', i, 2);
  const id = a.id('incidents', i);
  const created = formatTimestamp(f.createdMs);
  /** Resolve or acknowledge: the end of the lifetime, where the incident's last log entry is. */
  const changedMs = f.createdMs + f.durationMs - SECOND;
  const changed = f.status === 'triggered' ? created : formatTimestamp(changedMs);
  const resolved = f.status === 'resolved';
  const responder = refTo(a, 'users', f.responder);
  const service = refTo(a, 'services', f.service);
  const alerts = alertCount(a, i, 1 + r.int(3));
  return {
    ...head('incidents', id, `[#${i + 1}] ${f.title}`),
    incident_number: i + 1,
    title: f.title,
    created_at: created,
    updated_at: changed,
    status: f.status,
    incident_key: r.hex(32),
    service,
    assignments: resolved ? [] : [{ at: created, assignee: responder }],
    assigned_via: 'escalation_policy',
    last_status_change_at: changed,
    resolved_at: resolved ? changed : null,
    first_trigger_log_entry: firstEntry === null ? null : triggerEntryRef(a, firstEntry, id),
    alert_counts: { all: alerts, triggered: resolved ? 0 : alerts, resolved: resolved ? alerts : 0 },
    is_mergeable: true,
    incident_type: { name: 'incident_default' },
    escalation_policy: refTo(a, 'escalation_policies', f.policy),
    teams: [refTo(a, 'teams', f.team)],
    pending_actions:
      f.status === 'triggered'
        ? [{ type: 'escalate', at: formatTimestamp(f.createdMs + 30 * MINUTE) }]
        : f.status === 'acknowledged'
          ? [{ type: 'unacknowledge', at: formatTimestamp(changedMs + 30 * MINUTE) }]
          : [],
    acknowledgements: f.status === 'acknowledged' ? [{ at: changed, acknowledger: responder }] : [],
    alert_grouping: r.chance(0.2)
      ? { grouping_type: 'intelligent', started_at: created, ended_at: resolved ? changed : null, alert_grouping_active: !resolved }
      : null,
    last_status_change_by: f.status === 'triggered' || f.autoResolved ? service : responder,
    priority: f.priority === null ? null : refTo(a, 'priorities', f.priority),
    resolve_reason: null,
    conference_bridge:
      f.priority !== null && f.priority < 2
        ? { conference_number: '+1-415-555-0199,,,,1234#', conference_url: `https://meet.example.com/incident-${i + 1}` }
        : null,
    incidents_responders: [],
    responder_requests: [],
    urgency: f.urgency,
    body: { type: 'incident_body', details: `${f.title}. Runbook: https://wiki.example.com/runbooks/${String(service.id)}` },
  };
}
