import type { IncidentEvent } from './incident-mutations.js';
import { hash32 } from './random.js';
import { type Rec, toReference } from './refs.js';

/** `n` in base 36, upper case, exactly `width` digits (the low ones). */
function base36(n: number, width: number): string {
  return (n % 36 ** width).toString(36).toUpperCase().padStart(width, '0');
}

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(8, '0').slice(-width);
}

/** Event `n`'s id: 26 characters like PagerDuty's; the last six count events, so ids never repeat. */
export function eventId(seed: number, n: number): string {
  return base36(hash32(seed, 0xe1, n), 7) + base36(hash32(seed, 0xe2, n), 7) + base36(hash32(seed, 0xe3, n), 6) + base36(n, 6);
}

/** Event `n`'s X-Webhook-Id, a UUID (v4-shaped) whose last eight digits count events. */
export function webhookId(seed: number, n: number): string {
  const h = (salt: number) => hash32(seed, salt, n);
  const variant = (8 + (h(0xa4) % 4)).toString(16);
  return `${hex(h(0xa1), 8)}-${hex(h(0xa2), 4)}-4${hex(h(0xa3), 3)}-${variant}${hex(h(0xa4) >>> 4, 3)}-${hex(h(0xa5), 4)}${hex(n, 8)}`;
}

/** Subscription `n`'s id, PagerDuty-shaped ("P" and six of [0-9A-Z]). */
export function subscriptionId(seed: number, n: number): string {
  return `P${base36(hash32(seed, 0x5b, n), 6)}`;
}

/** The incident's reduced form PagerDuty puts in `data` of incident events (`GET /incidents/{id}` has the rest). */
function incidentData(i: Rec): Rec {
  return {
    id: i.id,
    type: 'incident',
    self: i.self,
    html_url: i.html_url,
    number: i.incident_number,
    status: i.status,
    incident_key: i.incident_key ?? null,
    created_at: i.created_at,
    title: i.title,
    service: i.service,
    assignees: ((i.assignments as Rec[] | undefined) ?? []).map((a) => a.assignee),
    escalation_policy: i.escalation_policy,
    teams: i.teams ?? [],
    priority: i.priority ?? null,
    urgency: i.urgency,
    conference_bridge: i.conference_bridge ?? null,
    resolve_reason: i.resolve_reason ?? null,
  };
}

/**
 * The v3 payload of one event. incident.annotated carries an `incident_note` (the incident only
 * as a reference), as PagerDuty documents; the other incident events the reduced incident.
 * occurred_at is the time of the change's log entry, with milliseconds.
 */
export function webhookPayload(id: string, e: IncidentEvent): { event: Rec } {
  const agent = e.entry.agent as Rec | undefined;
  const data = e.note
    ? { incident: toReference(e.incident), id: e.note.id, content: e.note.content, trimmed: false, type: 'incident_note' }
    : incidentData(e.incident);
  return {
    event: {
      id,
      event_type: e.type,
      resource_type: 'incident',
      occurred_at: new Date(String(e.entry.created_at)).toISOString(),
      // Changes the service made (a trigger through the API, a resolve by timeout) have no user to name.
      agent: agent?.type === 'user_reference' ? agent : null,
      client: null,
      data,
    },
  };
}
