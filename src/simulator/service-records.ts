import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { serviceOfIncident } from './incident-lifecycle.js';
import { BUSINESS_SERVICES, PRIORITIES, TIME_ZONES, VENDORS, nth } from './names.js';
import type { Rng } from './random.js';
import { API_URL, type Rec, WEB_URL, head, reference } from './refs.js';
import { DAY, SECOND, formatTimestamp } from './time.js';

/** How far back services look for their latest incident; older ones leave the field null. */
const LAST_INCIDENT_LOOKBACK = 5000;

/** Seconds an acknowledgement lasts on a service (null: forever); log entries copy it. */
export function serviceAckTimeout(a: Account, s: number): number | null {
  return a.rng('services', s, 3).chance(0.7) ? 1800 : null;
}

function lastIncidentTimestamp(a: Account, s: number): string | null {
  const last = a.volumes.incidents - 1;
  for (let i = last; i >= 0 && i > last - LAST_INCIDENT_LOOKBACK; i--) {
    if (serviceOfIncident(a, i) === s) return formatTimestamp(a.incidentTimes.msAt(i));
  }
  return null;
}

/** Drawn first from the service's generator, so its other fields keep their draws. */
function createdMsOf(a: Account, r: Rng): number {
  return a.startMs - r.int(365) * DAY - r.int(86400) * SECOND;
}

/** A service's integrations in full (events API first), without the rest of its record. */
export function serviceIntegrations(a: Account, s: number): Rec[] {
  return integrations(a, s, reference('services', a.id('services', s), a.org.serviceName(s)), createdMsOf(a, a.rng('services', s, 2)));
}

function integrations(a: Account, s: number, serviceRef: Rec, createdMs: number): Rec[] {
  const r = a.rng('services', s, 4);
  const serviceId = String(serviceRef.id);
  return Array.from({ length: 1 + r.int(2) }, (_, k) => {
    const id = a.id('integrations', s * 4 + k);
    const vendor = r.int(a.volumes.vendors);
    const email = k === 1;
    const name = email ? 'Email' : a.org.vendorName(vendor);
    return {
      id,
      type: email ? 'generic_email_inbound_integration' : 'events_api_v2_inbound_integration',
      summary: name,
      self: `${API_URL}/services/${serviceId}/integrations/${id}`,
      html_url: `${WEB_URL}/services/${serviceId}/integrations/${id}`,
      name,
      service: serviceRef,
      created_at: formatTimestamp(createdMs + (k + 1) * DAY),
      vendor: email ? null : refTo(a, 'vendors', vendor),
      ...(email ? { integration_email: `${serviceId.toLowerCase()}@acme.pagerduty.com` } : { integration_key: r.hex(32) }),
    };
  });
}

export function serviceRecord(a: Account, s: number): Rec {
  const r = a.rng('services', s, 2);
  const id = a.id('services', s);
  const name = a.org.serviceName(s);
  const createdMs = createdMsOf(a, r);
  const supportHours = r.chance(0.3);
  const grouping = r.pick([null, 'time', 'intelligent'] as const);
  const pause = r.chance(0.3);
  return {
    ...head('services', id, name),
    name,
    description: `${name}, run by the ${a.org.teamName(a.org.teamOfService(s))} team`,
    auto_resolve_timeout: r.chance(0.5) ? 14400 : null,
    acknowledgement_timeout: serviceAckTimeout(a, s),
    created_at: formatTimestamp(createdMs),
    status: r.weighted([['active', 85], ['warning', 4], ['critical', 4], ['maintenance', 3], ['disabled', 4]]),
    last_incident_timestamp: lastIncidentTimestamp(a, s),
    escalation_policy: refTo(a, 'escalation_policies', a.org.policyOfService(s)),
    response_play: null,
    teams: [refTo(a, 'teams', a.org.teamOfService(s))],
    integrations: integrations(a, s, reference('services', id, name), createdMs),
    incident_urgency_rule: supportHours
      ? { type: 'use_support_hours', during_support_hours: { type: 'constant', urgency: 'high' }, outside_support_hours: { type: 'constant', urgency: 'low' } }
      : { type: 'constant', urgency: 'high' },
    support_hours: supportHours
      ? { type: 'fixed_time_per_day', time_zone: r.pick(TIME_ZONES), start_time: '09:00:00', end_time: '17:00:00', days_of_week: [1, 2, 3, 4, 5] }
      : null,
    scheduled_actions: supportHours
      ? [{ type: 'urgency_change', at: { type: 'named_time', name: 'support_hours_start' }, to_urgency: 'high' }]
      : [],
    addons: [],
    alert_creation: 'create_alerts_and_incidents',
    alert_grouping_parameters: grouping === null ? { type: null } : grouping === 'time' ? { type: 'time', config: { timeout: 5 } } : { type: 'intelligent', config: { time_window: 300 } },
    alert_grouping: grouping,
    alert_grouping_timeout: grouping === 'time' ? 5 : null,
    auto_pause_notifications_parameters: { enabled: pause, timeout: pause ? 300 : null },
  };
}

export function businessServiceRecord(a: Account, b: number): Rec {
  const r = a.rng('business_services', b);
  const name = nth(BUSINESS_SERVICES, b);
  return {
    ...head('business_services', a.id('business_services', b), name),
    name,
    description: `The ${name} capability as customers see it`,
    point_of_contact: a.org.userName(r.int(a.volumes.users)),
    team: r.chance(0.7) ? refTo(a, 'teams', r.int(a.volumes.teams)) : null,
  };
}

export function vendorRecord(a: Account, v: number): Rec {
  const name = a.org.vendorName(v);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    ...head('vendors', a.id('vendors', v), name),
    name,
    website_url: VENDORS[v % VENDORS.length]![1],
    logo_url: `https://s3.amazonaws.com/pdpartner/${slug}_large.png`,
    thumbnail_url: `https://s3.amazonaws.com/pdpartner/${slug}_thumb.png`,
    description: `Send ${name} alerts to PagerDuty to trigger and resolve incidents automatically.`,
    integration_guide_url: `https://www.pagerduty.com/docs/guides/${slug}-integration-guide/`,
  };
}

export function priorityRecord(a: Account, p: number): Rec {
  const name = a.org.priorityName(p);
  return {
    ...head('priorities', a.id('priorities', p), name),
    name,
    description: PRIORITIES[p]?.[1] ?? `Priority ${name}`,
  };
}
