import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { type IncidentFacts, entryMs, incidentFacts } from './incident-lifecycle.js';
import { phoneOf } from './people-records.js';
import { API_URL, type Rec, WEB_URL } from './refs.js';
import type { Rng } from './random.js';
import { serviceAckTimeout } from './service-records.js';
import { HOUR, formatTimestamp } from './time.js';

/** Entry kinds between an incident's trigger and its end, by weight. */
const MIDDLE_KINDS = [
  ['notify', 40], ['assign', 12], ['annotate', 12], ['escalate', 10], ['urgency_change', 5], ['delegate', 4],
  ['snooze', 4], ['unacknowledge', 3], ['repeat_escalation_path', 3], ['exhaust_escalation_path', 3],
  ['reach_ack_limit', 2], ['reach_trigger_limit', 2],
] as const;

const NOTES = ['Looking into it', 'Rolled back the last deploy', 'Caused by an upstream provider outage', 'Scaling up, watching the graphs'];

/** The kind of the k-th of `count` entries: trigger first, resolve (or acknowledge) last. */
function entryKind(f: IncidentFacts, k: number, count: number, r: Rng): string {
  if (k === 0) return 'trigger';
  if (k === count - 1 && f.status === 'resolved') return 'resolve';
  if (k === count - 1 && f.status === 'acknowledged') return 'acknowledge';
  if (k === 2 && f.status === 'resolved' && f.acknowledged && count >= 4) return 'acknowledge';
  if (k === 1) return 'notify';
  return r.weighted(MIDDLE_KINDS);
}

/** Who did it, through which channel, what it says, and any fields only that kind has. */
function kindFields(a: Account, f: IncidentFacts, kind: string, at: number, r: Rng): Rec {
  const responder = refTo(a, 'users', f.responder);
  const name = String(responder.summary);
  const service = refTo(a, 'services', f.service);
  const next = refTo(a, 'users', a.org.userPagedAt(f.policy, 1, f.createdMs));
  const byUser = (summary: string, channel = 'website') => ({ summary, agent: responder, channel: { type: channel } });
  const byService = (summary: string, channel: string) => ({ summary, agent: service, channel: { type: channel } });
  switch (kind) {
    case 'trigger':
      return { ...byService('Triggered through the API', 'api'), event_details: { description: f.title } };
    case 'notify':
      return {
        ...byService(`Notified ${name} by SMS.`, 'auto'),
        channel: { type: 'auto', notification: { type: 'sms_notification', status: 'success', address: phoneOf(f.responder) } },
        user: responder,
      };
    case 'acknowledge':
      return { ...byUser(`Acknowledged by ${name}.`, r.pick(['website', 'mobile', 'sms'])), acknowledgement_timeout: serviceAckTimeout(a, f.service) };
    case 'resolve':
      return f.autoResolved ? byService('Resolved by timeout.', 'timeout') : byUser(`Resolved by ${name}.`);
    case 'assign':
      return { ...byUser(`Assigned to ${String(next.summary)} by ${name}.`), assignees: [next] };
    case 'escalate':
      return { ...byService(`Escalated to ${String(next.summary)} by timeout.`, 'timeout'), assignees: [next] };
    case 'delegate':
      return { ...byUser(`Reassigned to ${String(next.summary)} by ${name}.`), assignees: [next] };
    case 'annotate':
      return { ...byUser(`${name} added a note.`, 'note'), note: r.pick(NOTES) };
    case 'snooze':
      return { ...byUser(`Snoozed for 1 hour by ${name}.`), changed_actions: [{ type: 'unacknowledge', at: formatTimestamp(at + HOUR) }] };
    case 'urgency_change':
      return byUser(`Urgency changed to ${f.urgency} by ${name}.`);
    case 'unacknowledge':
      return byService('Unacknowledged due to timeout.', 'timeout');
    case 'repeat_escalation_path':
      return byService('Escalation path repeated.', 'timeout');
    case 'exhaust_escalation_path':
      return byService('Escalation path exhausted.', 'timeout');
    default:
      return byService(kind === 'reach_ack_limit' ? 'Acknowledgement limit reached.' : 'Trigger limit reached.', 'auto');
  }
}

export function logEntryRecord(a: Account, j: number): Rec {
  const slots = a.logEntrySlots;
  const i = slots.parentOf(j);
  const count = slots.count(i);
  const k = j - slots.first(i);
  const f = incidentFacts(a, i);
  const r = a.rng('log_entries', j);
  const kind = entryKind(f, k, count, r);
  const at = entryMs(f, k, count);
  const id = a.id('log_entries', j);
  const incident = refTo(a, 'incidents', i);
  const { summary, agent, channel, ...extra } = kindFields(a, f, kind, at, r);
  return {
    id,
    type: `${kind}_log_entry`,
    summary,
    self: `${API_URL}/log_entries/${id}?incident_id=${String(incident.id)}`,
    html_url: `${WEB_URL}/incidents/${String(incident.id)}/log_entries/${id}`,
    created_at: formatTimestamp(at),
    agent,
    channel,
    service: refTo(a, 'services', f.service),
    incident,
    teams: [refTo(a, 'teams', f.team)],
    contexts: kind === 'trigger' && r.chance(0.3) ? [{ type: 'link', href: `https://grafana.example.com/d/${r.hex(8)}`, text: 'Dashboard' }] : [],
    ...extra,
  };
}
