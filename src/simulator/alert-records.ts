import type { Account } from './account.js';
import { type LongIdCodec, MAX_INDEX, NAMESPACES } from './ids.js';
import { hash32, rngFor, unitHash } from './random.js';
import { API_URL, type Rec, WEB_URL, toReference } from './refs.js';
import { serviceIntegrations } from './service-records.js';
import { SECOND, formatTimestamp } from './time.js';

/** About 1 incident in 200 groups an alert storm of 101 to 260 alerts, so alert lists need pages. */
const STORM_SHARE = 1 / 200;
const STORM_MIN = 101;
const STORM_SPREAD = 160;

const NS = NAMESPACES.indexOf('incident_alerts');

/** Incident i's alert count: its usual draw (1 to 3), or an alert storm. */
export function alertCount(a: Account, i: number, usual: number): number {
  if (unitHash(a.seed, NS, i, 1) >= STORM_SHARE) return usual;
  return STORM_MIN + Math.floor(unitHash(a.seed, NS, i, 2) * STORM_SPREAD);
}

/** The index alert ids and draws hang off: the incident's own, or (for ids of another shape) one past every generated index. */
function parentIndex(a: Account, incidentId: string): number {
  const i = a.ids.decode('incidents', incidentId);
  if (i !== undefined) return i;
  let h = 0;
  for (const c of incidentId) h = hash32(h, c.charCodeAt(0));
  return MAX_INDEX + (h % MAX_INDEX);
}

const SEVERITIES = { high: [['critical', 5], ['error', 3], ['warning', 1]], low: [['warning', 4], ['info', 3], ['error', 1]] } as const;

/**
 * An incident's alerts as the API lists them (oldest first), from the incident as stored now: as
 * many as its alert_counts.all, on its service, resolved when it is, the first one carrying the
 * incident's de-duplication key. Spread over its life, from its creation to its resolution.
 */
export function alertsOf(a: Account, codec: LongIdCodec, incident: Rec): Rec[] {
  const incidentId = String(incident.id);
  const p = parentIndex(a, incidentId);
  const counts = incident.alert_counts as Rec | undefined;
  const count = typeof counts?.all === 'number' ? counts.all : 1;
  const createdMs = Date.parse(String(incident.created_at));
  const endMs = Date.parse(String(incident.resolved_at ?? incident.last_status_change_at ?? incident.created_at));
  const spanS = Math.max(0, Math.floor((endMs - createdMs) / SECOND));
  const service = incident.service as Rec;
  const s = a.ids.decode('services', String(service.id));
  const integrations = s !== undefined && s < a.volumes.services ? serviceIntegrations(a, s) : [];
  const severities = SEVERITIES[incident.urgency === 'low' ? 'low' : 'high'];
  return Array.from({ length: count }, (_, k) => {
    const r = rngFor(a.seed, NS, p, k + 10);
    const id = codec.encode(p, k);
    const host = `${String(service.summary).toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${r.int(12)}`;
    const integration = integrations.length > 0 && r.chance(0.8) ? toReference(integrations[r.int(integrations.length)]!) : null;
    return {
      id,
      type: 'alert',
      summary: k === 0 ? String(incident.title) : `${String(incident.title)} on ${host}`,
      self: `${API_URL}/incidents/${incidentId}/alerts/${id}`,
      html_url: `${WEB_URL}/alerts/${id}`,
      created_at: formatTimestamp(createdMs + Math.floor((k * spanS) / count) * SECOND),
      status: incident.status === 'resolved' ? 'resolved' : 'triggered',
      alert_key: k === 0 && typeof incident.incident_key === 'string' ? incident.incident_key : r.hex(32),
      service,
      first_trigger_log_entry: incident.first_trigger_log_entry ?? null,
      incident: toReference(incident),
      suppressed: false,
      severity: r.weighted(severities),
      integration,
      body: { type: 'alert_body', contexts: [], details: { host, metric: r.pick(['error_rate', 'p99_latency_ms', 'cpu_percent', 'queue_depth']), value: r.int(1000) } },
    };
  });
}
