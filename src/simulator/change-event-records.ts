import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { NAMESPACES } from './ids.js';
import { serviceOfIncident } from './incident-lifecycle.js';
import { unitHash } from './random.js';
import { API_URL, type Rec, toReference } from './refs.js';
import { serviceIntegrations } from './service-records.js';
import { HOUR, MINUTE, SECOND, formatTimestamp } from './time.js';
import type { TimeIndex } from './timeline.js';

/** Share of change events on the service of the incident they precede: the rest are elsewhere. */
const SAME_SERVICE_SHARE = 0.5;
const LONGEST_LEAD = 6 * HOUR;

/**
 * The incident change event e comes just before: one drawn from each block of incidents, so
 * anchors rise strictly with e and change events are spread like incidents (bursts included).
 */
export function anchorOf(a: Account, e: number): number {
  const n = a.volumes.change_events;
  const incidents = a.volumes.incidents;
  const lo = Math.floor((e * incidents) / n);
  const hi = Math.floor(((e + 1) * incidents) / n);
  return lo + Math.floor(unitHash(a.seed, NAMESPACES.indexOf('change_events'), e, 1) * (hi - lo));
}

/**
 * Minutes to hours before the anchor incident, but after the incident before it: times then
 * strictly increase with e, which the timeline model's binary searches need.
 */
function changeMs(a: Account, e: number): number {
  const i = anchorOf(a, e);
  const createdMs = a.incidentTimes.msAt(i);
  const previousMs = i > 0 ? a.incidentTimes.msAt(i - 1) : a.startMs - SECOND;
  const r = a.rng('change_events', e, 2).next();
  const wanted = 2 * MINUTE + Math.floor((r * r * LONGEST_LEAD) / SECOND) * SECOND;
  return createdMs - Math.min(wanted, createdMs - previousMs - SECOND);
}

export function changeEventTimes(a: Account): TimeIndex {
  return { length: a.volumes.change_events, msAt: (e) => changeMs(a, e) };
}

const KINDS = [['deploy', 6], ['config', 3], ['flag', 1]] as const;
const TOOLS = ['github-actions', 'argo-cd', 'jenkins', 'terraform-cloud', 'launchdarkly'];

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function describe(kind: string, service: string, r: { int(n: number): number; hex(n: number): string }): { summary: string; details: Rec } {
  const version = `v${1 + r.int(4)}.${r.int(30)}.${r.int(10)}`;
  switch (kind) {
    case 'deploy':
      return { summary: `Deployed ${service} ${version}`, details: { version, commit: r.hex(40), environment: 'production', run_time: `${30 + r.int(900)}s` } };
    case 'config':
      return { summary: `Configuration change to ${service}`, details: { setting: ['max_connections', 'timeout_ms', 'replicas'][r.int(3)], change_request: `CHG${100000 + r.int(900000)}` } };
    default:
      return { summary: `Feature flag toggled on ${service}`, details: { flag: `${slug(service)}-${r.hex(6)}`, enabled: r.int(2) === 1 } };
  }
}

export function changeEventRecord(a: Account, e: number): Rec {
  const r = a.rng('change_events', e, 3);
  const s = r.chance(SAME_SERVICE_SHARE) ? serviceOfIncident(a, anchorOf(a, e)) : r.int(a.volumes.services);
  const id = a.id('change_events', e);
  const kind = r.weighted(KINDS);
  const tool = TOOLS[kind === 'flag' ? 4 : kind === 'config' ? 3 : r.int(3)]!;
  const service = a.org.serviceName(s);
  const { summary, details } = describe(kind, service, r);
  const integration = serviceIntegrations(a, s)[0]!;
  const build = 1000 + e;
  return {
    id,
    summary,
    type: 'change_event',
    self: `${API_URL}/change_events/${id}`,
    // Change events have no page of their own in the web app.
    html_url: null,
    timestamp: formatTimestamp(changeMs(a, e)),
    services: [refTo(a, 'services', s)],
    integration: toReference(integration),
    routing_key: integration.integration_key,
    source: `${tool}-${slug(service)}`,
    links: [{ href: `https://ci.example.com/${slug(service)}/builds/${build}`, text: `View ${kind} ${build}` }],
    images: [],
    custom_details: { ...details, build_number: String(build), triggered_by: a.org.userName(r.int(a.volumes.users)) },
  };
}
