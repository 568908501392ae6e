import type { Account } from './account.js';
import { type ReferencedStream, refTo } from './account-refs.js';
import { NAMESPACES } from './ids.js';
import { JOB_TITLES, TIME_ZONES } from './names.js';
import { type Rng, hash32 } from './random.js';
import { API_URL, type Rec, toReference } from './refs.js';
import { serviceIntegrations } from './service-records.js';
import type { TimeIndex } from './timeline.js';

/** Audit records' times: the account's timeline to the second, plus drawn milliseconds, as PagerDuty gives them. */
export function auditTimes(a: Account): TimeIndex {
  const ns = NAMESPACES.indexOf('audit_records');
  return { length: a.auditSeconds.length, msAt: (j) => a.auditSeconds.msAt(j) + (hash32(a.seed, ns, j, 8) % 1000) };
}

type Root = Extract<ReferencedStream, 'users' | 'teams' | 'services' | 'schedules' | 'escalation_policies'>;
const ROOTS: readonly (readonly [Root, number])[] = [['users', 4], ['teams', 1], ['services', 3], ['schedules', 2], ['escalation_policies', 2]];

interface Change {
  action: 'create' | 'update' | 'delete';
  resource: Rec;
  fields: { name: string; before_value: string | null; value: string | null }[];
}

const field = (name: string, before: string | null, value: string | null) => ({ name, before_value: before, value });

/** An update of one plain field of the root resource, before and after. */
function update(a: Account, kind: Root, index: number, r: Rng): Change['fields'] {
  const name = String(refTo(a, kind, index).summary);
  switch (kind) {
    case 'users':
      return r.chance(0.5) ? [field('job_title', r.pick(JOB_TITLES), r.pick(JOB_TITLES))] : [field('time_zone', r.pick(TIME_ZONES), r.pick(TIME_ZONES))];
    case 'services':
      return [field('acknowledgement_timeout', r.chance(0.5) ? '1800' : null, r.chance(0.5) ? '3600' : '1800')];
    case 'escalation_policies':
      return [field('num_loops', String(r.int(3)), String(r.int(3)))];
    default:
      return [field('description', `${name} (old)`, `${name}`)];
  }
}

/**
 * What happened: mostly updates of the root resource; creations of it; deletions only of a
 * sub-resource (a user's notification rule, a service's integration), as the root still exists.
 */
function changeOf(a: Account, kind: Root, index: number, r: Rng): Change {
  const root = refTo(a, kind, index);
  const roll = r.next();
  if (roll < 0.12 && (kind === 'users' || kind === 'services')) {
    const ruleId = a.id('notification_rules', index * 4 + r.int(3));
    const sub = kind === 'users'
      ? { id: ruleId, type: 'assignment_notification_rule_reference', summary: 'Notification rule', self: `${String(root.self)}/notification_rules/${ruleId}`, html_url: null }
      : toReference(serviceIntegrations(a, index)[0]!);
    return { action: 'delete', resource: sub, fields: [field('id', String(sub.id), null)] };
  }
  if (roll < 0.3) return { action: 'create', resource: root, fields: [field('name', null, String(root.summary))] };
  return { action: 'update', resource: root, fields: update(a, kind, index, r) };
}

export function auditRecord(a: Account, j: number): Rec {
  const r = a.rng('audit_records', j, 1);
  const kind = r.weighted(ROOTS);
  const index = r.int(a.volumes[kind]);
  const change = changeOf(a, kind, index, r);
  const viaToken = r.chance(0.4);
  const id = a.id('audit_records', j);
  return {
    id,
    self: `${API_URL}/audit/records/${id}`,
    execution_time: new Date(auditTimes(a).msAt(j)).toISOString(),
    execution_context: {
      request_id: `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
      remote_address: `203.0.113.${1 + r.int(254)}`,
    },
    actors: [refTo(a, 'users', r.int(a.volumes.users))],
    method: viaToken ? { type: 'api_token', truncated_token: r.hex(4) } : { type: 'browser' },
    root_resource: refTo(a, kind, index),
    action: change.action,
    details: { resource: change.resource, fields: change.fields },
  };
}
